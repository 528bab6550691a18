using System.Globalization;
using System.Text;
using EquipmentTwin.Core.Histories;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Simulator.Output;

/// <summary>
/// Turns a simulated fleet's machine failures into run-to-failure histories in the generic RUL CSV
/// (<c>unit,time,&lt;signal&gt;,...</c>, docs/models-rul.md): one file per modality and component, one unit per
/// failure, one row per day — the daily mean of each signal, <see cref="DailySignalMeans"/>, the same rows the
/// service's RUL engine predicts from — from the device's previous repair (or the start) up to the failure. Time is in days since the run's start; a row stands at the end of its day, and the last
/// row at the failure itself, averaged over that day up to the failure.
/// </summary>
public sealed class RunToFailureExporter
{
    private readonly long _startMs;
    private readonly IReadOnlyList<FaultInstance> _faults;
    private readonly Dictionary<string, DeviceDays> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, (double Sum, int Count)>> _failureDays = new(StringComparer.Ordinal);

    public RunToFailureExporter(long startMs, IReadOnlyList<DeviceSpec> devices, IReadOnlyList<FaultInstance> faults)
    {
        _startMs = startMs;
        _faults = faults;
        foreach (var d in devices)
        {
            _devices[d.Id] = new DeviceDays(d, startMs);
        }
    }

    /// <summary>Adds one device-tick; call for every step in run order.</summary>
    public void Add(SimulationStep step)
    {
        var days = _devices[step.Device.Id];
        var failing = _faults.Where(f => f.DeviceId == step.Device.Id && f.Scenario.Kind == FaultKind.Machine && f.FailureMs is { } t && t >= step.FromMs && t < step.ToMs && !_failureDays.ContainsKey(f.Id)).ToList();
        foreach (var r in step.Records)
        {
            foreach (var f in failing)
            {
                if (r.TimestampMs >= f.FailureMs && !_failureDays.ContainsKey(f.Id))
                {
                    _failureDays[f.Id] = days.Means.Snapshot(Day(f.FailureMs!.Value));
                }
            }

            days.Means.Add(r);
        }

        foreach (var f in failing)
        {
            if (!_failureDays.ContainsKey(f.Id))
            {
                _failureDays[f.Id] = days.Means.Snapshot(Day(f.FailureMs!.Value));
            }
        }
    }

    /// <summary>Writes one CSV per modality and component into <paramref name="directory"/>; returns (file, units) written.</summary>
    public IReadOnlyList<(string File, int Units)> Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<(string, int)>();
        var failures = _faults.Where(f => f.Scenario.Kind == FaultKind.Machine && f.FailureMs is not null && _failureDays.ContainsKey(f.Id)).ToList();
        foreach (var group in failures.GroupBy(f => (_devices[f.DeviceId].Spec.Modality, f.Component)).OrderBy(g => g.Key.Modality).ThenBy(g => g.Key.Component, StringComparer.Ordinal))
        {
            var signals = _devices.Values.Where(d => d.Spec.Modality == group.Key.Modality).SelectMany(d => d.Signals).Distinct().Order(StringComparer.Ordinal).ToArray();
            var sb = new StringBuilder("unit,time");
            foreach (var s in signals)
            {
                sb.Append(',').Append(s);
            }

            sb.Append('\n');
            var units = 0;
            foreach (var f in group.OrderBy(f => f.FailureMs))
            {
                var device = _devices[f.DeviceId];
                var failureMs = f.FailureMs!.Value;
                var previousRepair = _faults.Where(o => o.DeviceId == f.DeviceId && o.RepairMs is { } r && r < failureMs).Select(o => o.RepairMs!.Value).DefaultIfEmpty(long.MinValue).Max();
                var firstDay = previousRepair == long.MinValue ? 0 : device.Means.FirstDayAfter(previousRepair);
                var failureDay = Day(failureMs);
                if (failureDay - firstDay < 1)
                {
                    continue;
                }

                for (var day = firstDay; day < failureDay; day++)
                {
                    AppendRow(sb, f.Id, DailySignalMeans.RowTime(day), signals, device.Means.Day(day));
                }

                AppendRow(sb, f.Id, (failureMs - _startMs) / (double)DailySignalMeans.DayMs, signals, _failureDays[f.Id]);
                units++;
            }

            if (units == 0)
            {
                continue;
            }

            var path = Path.Combine(directory, $"{group.Key.Modality.ToWire()}-{group.Key.Component}.csv");
            File.WriteAllText(path, sb.ToString());
            written.Add((path, units));
        }

        return written;
    }

    private static void AppendRow(StringBuilder sb, string unit, double time, string[] signals, IReadOnlyDictionary<string, (double Sum, int Count)>? values)
    {
        sb.Append(unit).Append(',').Append(time.ToString("0.####", CultureInfo.InvariantCulture));
        foreach (var s in signals)
        {
            sb.Append(',');
            if (values is not null && values.TryGetValue(s, out var v) && v.Count > 0)
            {
                sb.Append((v.Sum / v.Count).ToString("G6", CultureInfo.InvariantCulture));
            }
        }

        sb.Append('\n');
    }

    private int Day(long ms) => (int)((ms - _startMs) / DailySignalMeans.DayMs);

    /// <summary>A device and its daily means since the run's start.</summary>
    private sealed class DeviceDays(DeviceSpec spec, long startMs)
    {
        public DeviceSpec Spec { get; } = spec;
        public DailySignalMeans Means { get; } = new(startMs);
        public HashSet<string> Signals => Means.Signals;
    }
}
