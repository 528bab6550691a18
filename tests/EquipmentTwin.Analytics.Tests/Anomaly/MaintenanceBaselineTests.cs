using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Core.WireFormat;
using Xunit.Abstractions;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

/// <summary>A device's baseline is learnt again after maintenance, and scoring resumes against the new one.</summary>
[Collection(AnomalyFleetCollection.Name)]
public class MaintenanceBaselineTests(AnomalyFleetFixture fleet, ITestOutputHelper output)
{
    /// <summary>A replaced compressor that reads a little differently: current, discharge and the first stage it cools.</summary>
    private static readonly Dictionary<string, double> NewPartReads = new()
    {
        ["compressor_current_a"] = 0.5,
        ["compressor_discharge_temp_c"] = 3,
        ["coldhead_stage1_k"] = 1.5,
    };

    [Fact]
    public void After_a_repair_the_new_baseline_waits_for_the_device_to_settle_and_after_a_service_visit_it_does_not()
    {
        // Settling after the repair: the first stage is 4 K warm on the day of the repair and cools back with a 5-day time constant.
        const double repairedOnDay = 12;
        var settle = new SyntheticMri(216, AnomalyFleetFixture.Days) { SettleFromDay = repairedOnDay, SettleKelvin = 4 };
        var repaired = AnomalyFleetFixture.Run("settling", settle, Engine(), At(repairedOnDay, MaintenanceAction.Repair));

        Assert.Empty(repaired.Evidence);

        var serviced = AnomalyFleetFixture.Run("settling", new SyntheticMri(216, AnomalyFleetFixture.Days) { SettleFromDay = repairedOnDay, SettleKelvin = 4 }, Engine(), At(repairedOnDay, MaintenanceAction.Service));
        Assert.NotEmpty(serviced.Evidence);
        output.WriteLine($"baseline learnt while settling: day {AnomalyFleetFixture.Day(serviced.Evidence[0].HourEnd):F2} {serviced.Evidence[0].Evidence.Summary}");
    }

    [Fact]
    public void A_part_that_reads_differently_after_its_replacement_is_absorbed_by_the_baseline_learnt_after_the_maintenance()
    {
        const double replacedOnDay = 20;
        var device = () => new SyntheticMri(212, AnomalyFleetFixture.Days) { Step = NewPartReads, StepDay = replacedOnDay };

        var unrecorded = AnomalyFleetFixture.Run("replaced", device(), Engine());
        var recorded = AnomalyFleetFixture.Run("replaced", device(), Engine(), Replaced(replacedOnDay));

        // Without the record the new readings are far from the old baseline; with it they are the new normal.
        Assert.NotEmpty(unrecorded.Evidence);
        output.WriteLine($"without the record: day {AnomalyFleetFixture.Day(unrecorded.Evidence[0].HourEnd):F2} {unrecorded.Evidence[0].Evidence.Summary}");
        Assert.True(AnomalyFleetFixture.Day(unrecorded.Evidence[0].HourEnd) >= replacedOnDay);
        Assert.Empty(recorded.Evidence);
        Assert.Empty(recorded.Issues);
    }

    [Fact]
    public void After_the_baseline_is_learnt_again_a_drift_is_flagged_against_the_new_one()
    {
        const double replacedOnDay = 4, driftFrom = 22;
        const int days = 50;
        var device = new SyntheticMri(213, days) { Step = NewPartReads, StepDay = replacedOnDay, DriftStartDay = driftFrom };

        var run = AnomalyFleetFixture.Run("relearnt", device, Engine(), Replaced(replacedOnDay));

        Assert.NotEmpty(run.Evidence);
        var (hourEnd, first) = run.Evidence[0];
        output.WriteLine($"day {AnomalyFleetFixture.Day(hourEnd):F2}: {first.Component} {first.Summary}");
        Assert.InRange(AnomalyFleetFixture.Day(first.SinceMs), driftFrom, days);
        Assert.Contains(first.Component, (string[])["cold_head", "compressor", "water_loop"]);
    }

    private static MaintenanceRecord Replaced(double day) => At(day, MaintenanceAction.Replace);

    private static MaintenanceRecord At(double day, MaintenanceAction action) =>
        new(AnomalyFleetFixture.T0 + (long)(day * AnomalyFeatures.DayMs), "compressor", action, "Compressor serviced", "test");

    private AnomalyEngine Engine() => new(new AnomalyModelSet([fleet.Model]));
}
