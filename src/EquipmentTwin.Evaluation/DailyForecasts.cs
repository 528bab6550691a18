using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Evaluation;

/// <summary>A forecast an open alert of a device carried at one moment of the run.</summary>
public sealed record LoggedForecast(string DeviceId, string AlertId, Forecast Forecast);

/// <summary>
/// Samples, once a day of event time, the forecast every open alert of every view carries, so the band can be scored
/// on every forecast an engineer was shown before a failure, not only the first (a few per failure instead of one:
/// less scatter from seed to seed, though forecasts of one fault are not independent). A forecast that did not change
/// since the last sample is kept once.
/// </summary>
internal sealed class DailyForecasts(IReadOnlyList<AlertBook> views)
{
    private const long DayMs = 86_400_000;
    private readonly Dictionary<string, List<LoggedForecast>> _byView = views.ToDictionary(v => v.Name, _ => new List<LoggedForecast>(), StringComparer.Ordinal);
    private readonly Dictionary<(string View, string Alert), long> _lastComputed = new();
    private long? _nextMs;

    public IReadOnlyDictionary<string, IReadOnlyList<LoggedForecast>> ByView => _byView.ToDictionary(p => p.Key, p => (IReadOnlyList<LoggedForecast>)p.Value, StringComparer.Ordinal);

    /// <summary>Passes the steps through, sampling before the first step of each new day.</summary>
    public IEnumerable<SimulationStep> Watch(IEnumerable<SimulationStep> steps)
    {
        foreach (var step in steps)
        {
            _nextMs ??= step.FromMs - ((step.FromMs % DayMs) + DayMs) % DayMs + DayMs;
            if (step.FromMs >= _nextMs)
            {
                Sample();
                _nextMs = step.FromMs - ((step.FromMs % DayMs) + DayMs) % DayMs + DayMs;
            }

            yield return step;
        }
    }

    public void Sample()
    {
        foreach (var view in views)
        {
            var log = _byView[view.Name];
            foreach (var alert in view.All)
            {
                if (alert.State.IsClosed() || alert.Forecast is not { } f)
                {
                    continue;
                }

                var key = (view.Name, alert.Id);
                if (_lastComputed.TryGetValue(key, out var last) && last == f.ComputedAtMs)
                {
                    continue;
                }

                _lastComputed[key] = f.ComputedAtMs;
                log.Add(new LoggedForecast(alert.DeviceId, alert.Id, f));
            }
        }
    }
}
