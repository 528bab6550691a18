using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class RateRuleTests
{
    private const string HeliumFalling = """
        { "id": "he-falling", "kind": "rate", "severity": "error", "signal": "he_level_pct",
          "windowHours": 48, "slopePerDayBelow": -0.5, "clearSlopePerDay": -0.2, "minPoints": 24,
          "message": "Helium falling {rate} {unit}/day over {window}, now {value} {unit}" }
        """;

    [Fact]
    public void Fires_on_a_falling_slope_beyond_the_limit()
    {
        var noise = new Random(11);
        var h = With(Modality.Mri, HeliumFalling);

        // Compressor stopped: -3 %/day, with ±2 % probe noise, every 15 minutes.
        h.Feed("he_level_pct", 0, D(4), Min(15), t => 85 - 3.0 * t / D(1) + (noise.NextDouble() - 0.5) * 4);

        var e = h.Evidence("he-falling");
        Assert.NotNull(e);
        var slope = e.Readings.Single(r => r.Name == "he_level_pct.slope_per_day").Value;
        Assert.InRange(slope, -3.6, -2.4);
        Assert.StartsWith("Helium falling -", e.Summary);
    }

    [Fact]
    public void Does_not_fire_on_a_flat_noisy_level()
    {
        var noise = new Random(5);
        var h = With(Modality.Mri, HeliumFalling);
        var fired = false;
        h.Device.HourClosed += (_, _) => fired |= h.Active("he-falling");

        // ±5 % full-scale probe noise on a zero-boil-off magnet, for 30 days.
        h.Feed("he_level_pct", 0, D(30), Min(15), _ => 78 + (noise.NextDouble() - 0.5) * 10);

        Assert.False(fired);
    }

    [Fact]
    public void With_a_minimum_duration_a_slope_must_stay_past_the_limit_before_firing()
    {
        var h = With(Modality.Mri, HeliumFalling.Replace("\"minPoints\": 24,", "\"minPoints\": 24, \"minDurationMinutes\": 360,", StringComparison.Ordinal));
        var firstActive = (long?)null;
        h.Device.HourClosed += (_, e) => firstActive ??= h.Active("he-falling") ? e : null;

        // Flat for two days, then -4 %/day: the 48 h slope passes -0.5 %/day with significance some hours in.
        h.Feed("he_level_pct", 0, D(4), Min(15), t => t < D(2) ? 85 : 85 - 4.0 * (t - D(2)) / D(1));

        var plain = With(Modality.Mri, HeliumFalling);
        var plainFirst = (long?)null;
        plain.Device.HourClosed += (_, e) => plainFirst ??= plain.Active("he-falling") ? e : null;
        plain.Feed("he_level_pct", 0, D(4), Min(15), t => t < D(2) ? 85 : 85 - 4.0 * (t - D(2)) / D(1));

        Assert.NotNull(plainFirst);
        Assert.NotNull(firstActive);
        Assert.Equal(H(6), firstActive!.Value - plainFirst!.Value);
    }

    [Fact]
    public void With_a_margin_past_the_limit_a_slope_just_past_it_on_a_noisy_level_does_not_fire_but_a_clear_fall_does()
    {
        var strict = HeliumFalling.Replace("\"minPoints\": 24,", "\"minPoints\": 24, \"minSignificance\": 3, \"minSignificanceBeyondLimit\": 1.64,", StringComparison.Ordinal);
        // Hourly means ±0.5 % about the line (SE of a 48-h slope about 0.125 %/day): -0.6 %/day is a fall (|b|/SE near 5)
        // but not shown faster than -0.5 (0.8 SE past it); -1.5 %/day is (8 SE past it).
        static Func<long, double> Level(double perDay) => t => 85 + perDay * t / D(1) + ((t / H(1)) % 2 == 0 ? 0.5 : -0.5);

        bool Fires(string rule, double perDay)
        {
            var h = With(Modality.Mri, rule);
            var fired = false;
            h.Device.HourClosed += (_, _) => fired |= h.Active("he-falling");
            h.Feed("he_level_pct", 0, D(6), Min(15), Level(perDay));
            return fired;
        }

        Assert.True(Fires(HeliumFalling.Replace("\"minPoints\": 24,", "\"minPoints\": 24, \"minSignificance\": 3,", StringComparison.Ordinal), -0.6));
        Assert.False(Fires(strict, -0.6));
        Assert.True(Fires(strict, -1.5));
    }

    [Fact]
    public void A_negative_margin_past_the_limit_is_refused()
    {
        var ex = Assert.ThrowsAny<Exception>(() => With(Modality.Mri, HeliumFalling.Replace("\"minPoints\": 24,", "\"minPoints\": 24, \"minSignificanceBeyondLimit\": -1,", StringComparison.Ordinal)));
        Assert.Contains("minSignificanceBeyondLimit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Does_not_fire_before_the_window_holds_enough_points()
    {
        var h = With(Modality.Mri, HeliumFalling);

        // A steep fall, but only 20 hourly points so far.
        h.Feed("he_level_pct", 0, H(20), Min(15), t => 85 - 10.0 * t / D(1));
        Assert.False(h.Active("he-falling"));

        h.Feed("he_level_pct", H(20) + Min(15), H(26), Min(15), t => 85 - 10.0 * t / D(1));
        Assert.True(h.Active("he-falling"));
    }

    [Fact]
    public void With_a_minimum_span_the_window_must_reach_back_that_far_before_a_slope_is_judged()
    {
        var h = With(Modality.Mri, HeliumFalling.Replace("\"minPoints\": 24,", "\"minPoints\": 24, \"minSpanHours\": 36,", StringComparison.Ordinal));
        var firstActive = (long?)null;
        h.Device.HourClosed += (_, e) => firstActive ??= h.Active("he-falling") ? e : null;

        // A steep fall from the first reading: the plain rule fires once 24 hourly points are in, this one only when the
        // points span 36 hours.
        h.Feed("he_level_pct", 0, H(30), Min(15), t => 85 - 10.0 * t / D(1));
        Assert.Null(firstActive);
        h.Feed("he_level_pct", H(30) + Min(15), D(3), Min(15), t => 85 - 10.0 * t / D(1));

        Assert.Equal(T0 + H(36), firstActive);
    }

    [Fact]
    public void A_minimum_span_longer_than_the_window_is_refused()
    {
        var ex = Assert.ThrowsAny<Exception>(() => With(Modality.Mri, HeliumFalling.Replace("\"minPoints\": 24,", "\"minPoints\": 24, \"minSpanHours\": 49,", StringComparison.Ordinal)));
        Assert.Contains("minSpanHours", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clears_when_the_level_stops_falling()
    {
        var h = With(Modality.Mri, HeliumFalling);
        h.Feed("he_level_pct", 0, D(3), Min(15), t => 85 - 3.0 * t / D(1));
        Assert.True(h.Active("he-falling"));

        // Cooler restarted: flat from day 3; the 48 h window forgets the fall.
        h.Feed("he_level_pct", D(3) + Min(15), D(6), Min(15), _ => 76);
        Assert.False(h.Active("he-falling"));
    }
}
