using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class BaselineDeviationRuleTests
{
    private const string FilamentDrift = """
        { "id": "fil-drift", "kind": "baseline-deviation", "severity": "warning", "signal": "filament_current_a",
          "windowHours": 24, "baselineDays": 2, "mode": "percent", "above": 5, "clear": 3,
          "message": "Filament {value} {unit}, {deviation} % above baseline {baseline} {unit}" }
        """;

    private static RuleHarness Ct(string deviceId) => new(EngineOf(Modality.Ct, FilamentDrift), Modality.Ct, deviceId);

    [Fact]
    public void Each_device_is_judged_against_its_own_learned_baseline()
    {
        var a = Ct("ct-a");
        var b = Ct("ct-b");

        // Two healthy tubes with different filaments: 4.0 A and 4.3 A for two days.
        a.Feed("filament_current_a", 0, D(2), Min(5), _ => 4.0);
        b.Feed("filament_current_a", 0, D(2), Min(5), _ => 4.3);

        // Both then read 4.3 A: +7.5 % for tube a, its normal for tube b.
        a.Feed("filament_current_a", D(2) + Min(5), D(4), Min(5), _ => 4.3);
        b.Feed("filament_current_a", D(2) + Min(5), D(4), Min(5), _ => 4.3);

        var e = a.Evidence("fil-drift");
        Assert.NotNull(e);
        Assert.Equal(4.0, e.Readings.Single(r => r.Name == "filament_current_a.baseline").Value, 6);
        Assert.Equal(7.5, e.Readings.Single(r => r.Name == "filament_current_a.deviation_pct").Value, 1);
        Assert.Null(b.Evidence("fil-drift"));
    }

    [Fact]
    public void With_a_reference_signal_subtracted_a_warmer_room_is_not_a_cooling_fault_but_a_rise_over_it_is()
    {
        const string Rule = """
            { "id": "det-cooling", "kind": "baseline-deviation", "severity": "warning", "signal": "detector_temp_c",
              "minus": "room_temp_c", "windowHours": 24, "baselineDays": 2, "mode": "absolute", "above": 3, "clear": 2,
              "message": "Detector {value} {unit} over the room, {deviation} {unit} above its normal rise {baseline} {unit}" }
            """;
        var warmRoom = new RuleHarness(EngineOf(Modality.Xray, Rule), Modality.Xray, "xr-a");
        var badFan = new RuleHarness(EngineOf(Modality.Xray, Rule), Modality.Xray, "xr-b");

        // Room 21 C, panel 27 C for two days; then the room warms by 4 C (the panel with it) in one, the fan fails (+4 C) in the other.
        foreach (var h in new[] { warmRoom, badFan })
        {
            h.Feed(0, D(2), Min(5), ("room_temp_c", _ => 21.0), ("detector_temp_c", _ => 27.0));
        }

        warmRoom.Feed(D(2) + Min(5), D(4), Min(5), ("room_temp_c", _ => 25.0), ("detector_temp_c", _ => 31.0));
        badFan.Feed(D(2) + Min(5), D(4), Min(5), ("room_temp_c", _ => 21.0), ("detector_temp_c", _ => 31.0));

        Assert.Null(warmRoom.Evidence("det-cooling"));
        var e = badFan.Evidence("det-cooling");
        Assert.NotNull(e);
        Assert.Equal(6.0, e.Readings.Single(r => r.Name == "detector_temp_c.baseline").Value, 6);
        Assert.Equal(4.0, e.Readings.Single(r => r.Name == "detector_temp_c.deviation").Value, 1);
    }

    [Fact]
    public void Nothing_fires_while_the_baseline_is_still_being_learnt()
    {
        var h = Ct("ct-a");

        // A steep rise inside the learning period is part of what is learnt, not a deviation from it.
        h.Feed("filament_current_a", 0, H(47), Min(5), t => 4.0 + t / (double)D(2));

        Assert.False(h.Active("fil-drift"));
    }

    [Fact]
    public void Clears_when_the_window_mean_returns_within_the_clear_deviation()
    {
        var h = Ct("ct-a");
        h.Feed("filament_current_a", 0, D(2), Min(5), _ => 4.0);
        h.Feed("filament_current_a", D(2) + Min(5), D(4), Min(5), _ => 4.3);
        Assert.True(h.Active("fil-drift"));

        // +4 % is between clear (+3 %) and limit (+5 %): still active.
        h.Feed("filament_current_a", D(4) + Min(5), D(6), Min(5), _ => 4.16);
        Assert.True(h.Active("fil-drift"));

        h.Feed("filament_current_a", D(6) + Min(5), D(8), Min(5), _ => 4.04);
        Assert.False(h.Active("fil-drift"));
    }

    [Fact]
    public void An_absolute_deviation_below_the_baseline_fires()
    {
        var h = With(Modality.Ct, """
            { "id": "coast", "kind": "baseline-deviation", "severity": "warning", "signal": "cooling_pump_current_a",
              "windowHours": 6, "baselineDays": 1, "mode": "absolute", "below": -0.2, "message": "Pump {value} {unit}, {deviation} {unit} from {baseline}" }
            """);
        h.Feed("cooling_pump_current_a", 0, D(1), Min(1), _ => 1.1);
        h.Feed("cooling_pump_current_a", D(1) + Min(1), D(1) + H(8), Min(1), _ => 0.8);

        var e = h.Evidence("coast");
        Assert.NotNull(e);
        Assert.Equal("Pump 0.8 A, -0.3 A from 1.1", e.Summary);
    }
}
