using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace EquipmentTwin.Service.Metrics;

/// <summary>
/// Renders the service's own <see cref="Meter"/>s (those its <see cref="IMeterFactory"/> created) in the Prometheus
/// text exposition format 0.0.4: counters as <c>_total</c>, gauges as they are, histograms as <c>_sum</c> and
/// <c>_count</c>. Small on purpose: the service has a dozen instruments and no need of an SDK pipeline to export them.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly object _scrape = new();

    public PrometheusExporter(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this service's meters: several services in one process (tests) must not add up.
            if (ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The current values of every instrument, observable ones read now.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            _listener.RecordObservableInstruments();
            var sb = new StringBuilder();
            foreach (var group in _series.GroupBy(kv => kv.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var instrument = group.Key;
                var name = Sanitize(instrument.Name) + (instrument.Unit is { Length: > 0 } u && !instrument.Name.EndsWith(u, StringComparison.Ordinal) ? "_" + Sanitize(u) : "");
                var kind = Kind(instrument);
                var exposed = kind == "counter" ? name + "_total" : name;
                if (instrument.Description is { Length: > 0 } d)
                {
                    sb.Append("# HELP ").Append(exposed).Append(' ').Append(d.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
                }

                sb.Append("# TYPE ").Append(exposed).Append(' ').Append(kind).Append('\n');
                foreach (var (key, series) in group.OrderBy(kv => kv.Key.Labels, StringComparer.Ordinal))
                {
                    var labels = key.Labels.Length == 0 ? "" : "{" + key.Labels + "}";
                    if (kind == "summary")
                    {
                        sb.Append(name).Append("_sum").Append(labels).Append(' ').Append(Format(series.Sum)).Append('\n');
                        sb.Append(name).Append("_count").Append(labels).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }
                    else
                    {
                        sb.Append(exposed).Append(labels).Append(' ').Append(Format(series.Value)).Append('\n');
                    }
                }
            }

            return sb.ToString();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd((instrument, Labels(tags)), _ => new Series());
        lock (series)
        {
            switch (instrument)
            {
                case Counter<long> or Counter<int> or Counter<double> or UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double>:
                    series.Value += value;
                    break;
                case Histogram<long> or Histogram<int> or Histogram<double>:
                    series.Sum += value;
                    series.Count++;
                    break;
                default:
                    // Observable instruments report their current value (cumulative for observable counters).
                    series.Value = value;
                    break;
            }
        }
    }

    private static string Kind(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => "counter",
        Histogram<long> or Histogram<int> or Histogram<double> => "summary",
        _ => "gauge",
    };

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var (k, v) in tags)
        {
            var text = Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
            pairs.Add(Sanitize(k) + "=\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(",", pairs);
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_' || (chars[i] == ':' && i > 0)))
            {
                chars[i] = '_';
            }
        }

        return char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }

    private static string Format(double v) => double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose() => _listener.Dispose();

    private sealed class Series
    {
        public double Value;
        public double Sum;
        public long Count;
    }
}
