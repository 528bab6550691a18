using System.Diagnostics;
using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Bench;

/// <summary>Options of <c>twin bench memory</c>.</summary>
public sealed record MemoryBenchOptions(
    IReadOnlyList<int> DeviceCounts,
    double Days,
    string FleetPath,
    string? ModelsDirectory,
    double TrainingDays,
    string RulesDirectory,
    string PhysicsDirectory,
    bool Json,
    string? PlotDirectory = null);

/// <summary>
/// <c>twin bench memory</c>: the managed heap of live twins with full analytics windows. For each device count,
/// a fresh analytics pipeline (the rules, physics and anomaly engines and fusion the service keeps) is built, the
/// heap is measured after a full compacting GC (the baseline: the pipeline with no device), then every device
/// (MRI, CT and X-ray in turn) gets one reading per catalog signal per hour for <c>Days</c> days, the last two
/// days every 5 minutes, so that the hourly and 5-minute windows of its history are as full as those days allow
/// (at most <see cref="DeviceHistory.HourCapacity"/> hours and <see cref="DeviceHistory.BucketCapacity"/> buckets; each signal keeps the
/// windows the engines declare they read, <see cref="HistoryNeeds"/>), and the
/// heap is measured again. Bytes per device = (after − baseline) / devices.
/// </summary>
public static class MemoryBench
{
    private const long HourMs = DeviceHistory.HourMs;
    private const long BucketMs = DeviceHistory.BucketMs;
    private static readonly Modality[] Modalities = [Modality.Mri, Modality.Ct, Modality.Xray];

    public static int Run(MemoryBenchOptions o, TextWriter output, TextWriter error)
    {
        using var progress = ReferenceEquals(error, Console.Error) ? ConsoleProgress.Start("twin bench memory") : ConsoleProgress.Start("twin bench memory", error);
        var (fleet, faults, catalog) = FleetFiles.Load(o.FleetPath, null, null);
        AnomalyModelSet models;
        string modelsSource;
        if (o.ModelsDirectory is { } dir)
        {
            models = AnomalyModelSet.LoadLatest(dir);
            modelsSource = $"loaded from {dir}";
        }
        else
        {
            models = AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, 1, o.TrainingDays, progress: progress);
            modelsSource = $"trained on {o.TrainingDays:0.#} healthy days of {fleet.Name}";
        }

        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var hours = (long)Math.Ceiling(o.Days * 24);
        var fineFrom = start + Math.Max(0, hours - 48) * HourMs;
        var end = start + hours * HourMs;
        var results = new List<object>();
        var lines = new List<string>();
        var plotted = new List<MemoryPlots.Point>();
        foreach (var count in o.DeviceCounts)
        {
            IAnalyticsEngine[] engines =
            [
                RuleEngine.Load(o.RulesDirectory, catalog),
                new PhysicsEngine(PhysicsConfigLoader.LoadDirectory(o.PhysicsDirectory, catalog)),
                new AnomalyEngine(models),
            ];
            var pipeline = new AnalyticsPipeline(engines, catalog);
            var (baseline, baselineHeap) = Heap();
            progress.Step($"{count:N0} devices: filling {o.Days:0.##} days of windows", count, "devices");
            var sw = Stopwatch.StartNew();
            long records = 0;
            var rng = new Random(1);
            for (var d = 0; d < count; d++)
            {
                var modality = Modalities[d % Modalities.Length];
                var signals = catalog[modality].Signals.Values.ToArray();
                var id = $"mem-{modality.ToWire()}-{d:D5}";
                var batch = new List<LogRecord>(signals.Length * 12);
                for (var t = start; t < end; t += t < fineFrom ? HourMs : BucketMs)
                {
                    batch.Clear();
                    for (var i = 0; i < signals.Length; i++)
                    {
                        batch.Add(LogRecord.Param(t + i, signals[i].Name, Value(signals[i], t - start, rng)));
                    }

                    pipeline.Process(id, "bench", modality, batch.ToArray());
                    records += batch.Count;
                }

                progress.Report(d + 1);
            }

            pipeline.AdvanceAllTo(end);
            var fillSeconds = sw.Elapsed.TotalSeconds;
            var (after, afterHeap) = Heap();
            var live = pipeline.Devices.Count;
            var (hourlySlots, fiveMinuteSlots, historyBytes) = HistorySlots(pipeline);
            GC.KeepAlive(pipeline);
            var perDevice = (after - baseline) / (double)count;
            plotted.Add(new MemoryPlots.Point(count, after, baseline));
            results.Add(new
            {
                devices = count,
                liveTwins = live,
                records,
                fillSeconds,
                baselineBytes = baseline,
                baselineHeapSizeBytes = baselineHeap,
                afterBytes = after,
                afterHeapSizeBytes = afterHeap,
                bytesPerDevice = perDevice,
                projectedBytesFor10k = perDevice * 10_000,
                historySlotsPerDevice = new { hourly = hourlySlots / (double)count, fiveMinute = fiveMinuteSlots / (double)count },
                historyBytesPerDevice = historyBytes / (double)count,
                historyBytesPerPoint = historyBytes / (double)Math.Max(1, hourlySlots + fiveMinuteSlots),
            });
            lines.Add($"{count:N0} devices ({records:N0} records in {fillSeconds:0.0} s): heap {after / 1048576.0:N1} MiB after, {baseline / 1048576.0:N1} MiB with the pipeline and no device (baseline) → {perDevice / 1024:N1} KiB per device, of which {historyBytes / (double)count / 1024:N1} KiB coded history windows ({hourlySlots / (double)count:N0} hourly and {fiveMinuteSlots / (double)count:N0} 5-minute points, {historyBytes / (double)Math.Max(1, hourlySlots + fiveMinuteSlots):0.0} bytes each); 10k devices ≈ {perDevice * 10_000 / 1073741824.0:0.00} GiB");
        }

        if (o.PlotDirectory is { } plots)
        {
            MemoryPlots.Write(plots, plotted);
        }

        if (o.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                bench = "memory",
                days = o.Days,
                windows = new { hourly = DeviceHistory.HourCapacity, fiveMinute = DeviceHistory.BucketCapacity },
                anomalyModels = modelsSource,
                runs = results,
                plot = o.PlotDirectory is { } pd ? Path.Combine(pd, MemoryPlots.File) : null,
                machine = "shared",
                host = BenchSupport.Host(),
            }));
        }
        else
        {
            output.WriteLine($"memory bench: live twins (rules, physics, anomaly, fusion) after {o.Days:0.##} days of one reading per catalog signal per hour, the last 2 days every 5 minutes; anomaly models {modelsSource}");
            foreach (var line in lines)
            {
                output.WriteLine(line);
            }
        }

        return 0;
    }

    /// <summary>Hourly and 5-minute points the devices' histories hold, and the bytes their coded windows take (what the engines' declared windows cost).</summary>
    private static (long Hourly, long FiveMinute, long Bytes) HistorySlots(AnalyticsPipeline pipeline)
    {
        long hourly = 0, fiveMinute = 0, bytes = 0;
        foreach (var device in pipeline.Devices)
        {
            foreach (var signal in device.History.Signals)
            {
                var h = device.History.Hourly(signal)!;
                var f = device.History.FiveMinute(signal)!;
                hourly += h.Count;
                fiveMinute += f.Count;
                bytes += h.StoredBytes + f.StoredBytes;
            }
        }

        return (hourly, fiveMinute, bytes);
    }

    /// <summary>A value inside the signal's normal range (a rising counter for cumulative ones).</summary>
    private static double Value(SignalDefinition s, long sinceStartMs, Random rng)
    {
        if (s.Cumulative)
        {
            return Math.Round(sinceStartMs / 60_000.0, 1);
        }

        var lo = s.NormalMin ?? (s.NormalMax is { } max ? max / 2 : 0);
        var hi = s.NormalMax ?? lo + 1;
        return Math.Round(lo + ((hi - lo) * (0.4 + (0.2 * rng.NextDouble()))), 3);
    }

    private static (long Bytes, long HeapSize) Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return (GC.GetTotalMemory(forceFullCollection: true), GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes);
    }
}
