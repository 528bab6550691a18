using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class WeibullUsageLawTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Remaining_usage_quantile_matches_conditional_survival(double q)
    {
        var delta = WeibullLife.RemainingUsageQuantile(600_000, q, 800_000, 2.5);

        Assert.Equal(1 - q, WeibullLife.ConditionalSurvival(600_000, delta, 800_000, 2.5), 9);
    }

    [Fact]
    public void Tube_life_is_forecast_from_usage_and_its_rate()
    {
        // 850k scan-s used, 5,000 scan-s/day; η 800k, β 2.5: median remaining 174.7k scan-s = 34.9 days.
        var device = Synthetic.Device(Modality.Ct, Synthetic.Shipped);
        var records = Synthetic.Signal("tube_scan_seconds", 0, 40, 12, d => 650_000 + 5_000 * d, 0, new Random(51));

        Synthetic.Run(device, records, 40);

        var f = Synthetic.Find(device, "ct-tube-life")!.Forecast!;
        var expected = WeibullLife.RemainingUsageQuantile(f.Parameters["usage"], 0.5, 800_000, 2.5) / 5_000;
        Assert.InRange(expected, 34, 36);
        Assert.Equal(expected, Synthetic.DaysAhead(f, f.P50Ms), 1);
        Assert.True(f.P10Ms < f.P50Ms && f.P50Ms < f.P90Ms);
        Assert.InRange(Synthetic.Find(device, "ct-tube-life")!.Confidence, 0.40, 0.48);
    }
}
