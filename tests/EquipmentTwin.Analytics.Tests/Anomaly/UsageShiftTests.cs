using EquipmentTwin.Analytics.Anomaly;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

/// <summary>Usage that changes after a device's baseline was learnt.</summary>
[Collection(AnomalyFleetCollection.Name)]
public class UsageShiftTests(AnomalyFleetFixture fleet)
{
    [Fact]
    public void Night_scanning_that_starts_after_the_baseline_raises_no_evidence()
    {
        var device = new SyntheticMri(214, AnomalyFleetFixture.Days) { NightScanningFromDay = 14 };

        var run = AnomalyFleetFixture.Run("night", device, new AnomalyEngine(new AnomalyModelSet([fleet.Model])));

        Assert.Empty(run.Evidence);
        Assert.Empty(run.Issues);
    }
}
