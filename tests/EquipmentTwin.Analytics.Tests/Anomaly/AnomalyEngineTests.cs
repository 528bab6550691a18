using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

[Collection(AnomalyFleetCollection.Name)]
public class AnomalyEngineTests(AnomalyFleetFixture fleet, ITestOutputHelper output)
{
    private const double DriftStartDay = 12;

    private AnomalyEngine Engine => new(new AnomalyModelSet([fleet.Model]));

    [Fact]
    public void Slow_joint_drift_below_single_signal_limits_is_flagged_within_days_with_a_plausible_component()
    {
        var device = new SyntheticMri(301, AnomalyFleetFixture.Days) { DriftStartDay = DriftStartDay };

        var run = AnomalyFleetFixture.Run("drift", device, Engine);

        Assert.NotEmpty(run.Evidence);
        var (hourEnd, first) = run.Evidence[0];
        var day = AnomalyFleetFixture.Day(hourEnd);
        output.WriteLine($"flagged on day {day:F2} ({day - DriftStartDay:F1} days after onset): {first.Component} {first.Confidence} {first.Severity} {first.Summary}");
        Assert.InRange(day - DriftStartDay, 0, 20);
        // The drift sits in the cooling chain; which of its parts moved is ambiguous to a correlation model
        // (the water loop disagrees with the cryo signals as much as they with it), so any part of it is plausible.
        Assert.Contains(first.Component, (string[])["cold_head", "compressor", "water_loop"]);
        Assert.Contains(SyntheticMri.DriftSignals, s => first.Summary.Contains(s, StringComparison.Ordinal) || first.Component == "water_loop");
        Assert.Equal(EngineKind.Anomaly, first.Engine);
        Assert.InRange(first.Confidence, 0.4, 0.9);
        Assert.Contains(first.Readings, r => r.Name == "score");

        // The summary names the features that moved, not only the signals: level, and noise or slope where they moved.
        Assert.Contains(" level ", first.Summary, StringComparison.Ordinal);
        // ... and on what the alert stands: the newest window's score and how many of the last windows were above the threshold.
        Assert.Matches(@"\(score \d+\.\d× threshold, [34] of the last 4 windows above it\)$", first.Summary);
        var named = first.Readings.Where(r => r.Name.EndsWith(".z", StringComparison.Ordinal)).Select(r => r.Name[..^2]).ToArray();
        Assert.NotEmpty(named);
        Assert.All(named, n => Assert.Contains(first.Readings, r => r.Name == n + ".slope"));
        Assert.All(named, n => Assert.Contains(first.Readings, r => r.Name == n + ".sd"));
        Assert.All(first.Readings.Where(r => r.Name.EndsWith(".slope", StringComparison.Ordinal) && Math.Abs(r.Value) >= AnomalyEngine.SlopeMoved),
            r => Assert.Contains($"{r.Name[..^6]} level", first.Summary, StringComparison.Ordinal));

        // Each drifting signal alone is still inside 1.5 σ of its own baseline (std of hourly means, first 7 days).
        foreach (var signal in SyntheticMri.DriftSignals)
        {
            var hourly = run.FullHistory.Hourly(signal)!.Since(AnomalyFleetFixture.T0)
                .Where(p => p.StartMs < AnomalyFleetFixture.T0 + 7 * AnomalyFeatures.DayMs).Select(p => p.Mean).ToArray();
            var mean = hourly.Average();
            var sigma = Math.Sqrt(hourly.Sum(v => (v - mean) * (v - mean)) / (hourly.Length - 1));
            var drift = device.DriftAt(signal, day) / sigma;
            output.WriteLine($"{signal}: σ {sigma:G3}, drift at detection {drift:F2} σ");
            Assert.InRange(drift, 0, 1.5);
        }

        Assert.Empty(run.Issues);
    }

    [Fact]
    public void Healthy_device_raises_no_evidence_over_forty_days()
    {
        var run = AnomalyFleetFixture.Run("healthy", new SyntheticMri(201, AnomalyFleetFixture.Days), Engine);

        Assert.Empty(run.Evidence);
        Assert.Empty(run.Issues);
    }

    [Theory]
    [InlineData("chilled_water_supply_c", SensorFaultKind.Stuck, DataQualityKind.Stuck)]
    [InlineData("coldhead_stage1_k", SensorFaultKind.Spikes, DataQualityKind.Spikes)]
    [InlineData("compressor_current_a", SensorFaultKind.Dropout, DataQualityKind.Dropout)]
    public void Sensor_fault_is_reported_as_data_quality_and_raises_no_anomaly(string signal, SensorFaultKind fault, DataQualityKind expected)
    {
        var device = new SyntheticMri(202, AnomalyFleetFixture.Days) { Faults = [new SensorFault(signal, fault, 15, 30)] };

        var run = AnomalyFleetFixture.Run("faulty", device, Engine);

        Assert.Empty(run.Evidence);
        Assert.NotEmpty(run.Issues);
        Assert.All(run.Issues, i => Assert.Equal((signal, expected), (i.Issue.Signal, i.Issue.Kind)));
        var firstSeen = AnomalyFleetFixture.Day(run.Issues[0].HourEnd);
        output.WriteLine($"{expected} reported on day {firstSeen:F2}: {run.Issues[0].Issue.Summary}");
        Assert.InRange(firstSeen, 15, 16.5);

        // The fault ends on day 30: the issue clears once the signal behaves again.
        Assert.Empty(run.Analytics.DataQuality());
        Assert.InRange(AnomalyFleetFixture.Day(run.Issues[^1].HourEnd), 30, 31.5);
    }

    [Fact]
    public void Device_of_a_modality_without_a_model_gets_no_evidence()
    {
        var engine = new AnomalyEngine(AnomalyModelSet.Empty);

        var run = AnomalyFleetFixture.Run("drift", new SyntheticMri(301, AnomalyFleetFixture.Days) { DriftStartDay = 5 }, engine);

        Assert.Empty(run.Evidence);
    }
}
