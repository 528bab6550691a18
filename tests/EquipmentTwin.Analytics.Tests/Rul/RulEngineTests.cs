using System.Text;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Rul;

/// <summary>The learned RUL model as the fourth source of evidence: daily means in, an ordered band out, evidence only near failure.</summary>
public sealed class RulEngineTests
{
    private static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    private static readonly Lazy<RulModel> Model = new(() => Fit(seed: 1));
    private static readonly long T0 = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const long Day = 86_400_000;

    internal static RulModel Fit(int seed) =>
        RulTrainer.Fit(RulCsvReader.Parse(Encoding.UTF8.GetBytes(DailyWearHistories.Training(18, seed)), "bearings.csv"), new RulTrainingOptions { Seed = seed, Trees = 40 });

    private static RulBand Band(double p10, double p50, double p90, bool near) => new("gantry_bearing", "rul-ct-gantry_bearing v1", T0, p10, p50, p90, 20, near);

    [Fact]
    public void A_band_is_evidence_only_when_failure_is_near_and_stronger_when_its_P50_is()
    {
        var engine = new RulEngine(horizonDays: 30);
        Assert.Null(engine.EvidenceOf(Band(45, 60, 80, near: false), T0));

        var fusion = new FusionOptions();
        var p10Only = engine.EvidenceOf(Band(20, 40, 70, near: true), T0)!;
        Assert.Equal((EngineKind.Rul, "rul", "gantry_bearing"), (p10Only.Engine, p10Only.Source, p10Only.Component));
        Assert.True(p10Only.Confidence < fusion.OpenThreshold, "a P10 alone inside the horizon corroborates but opens nothing alone");

        var p50Near = engine.EvidenceOf(Band(2, 5, 12, near: true), T0)!;
        Assert.True(p50Near.Confidence >= fusion.OpenThreshold);
        Assert.Equal(Severity.Error, p50Near.Severity);
        var f = p50Near.Forecast!;
        Assert.Equal((T0 + 2 * Day, T0 + 5 * Day, T0 + 12 * Day), (f.P10Ms, f.P50Ms, f.P90Ms));
        Assert.Equal("rul-ct-gantry_bearing v1", f.Model);
    }

    [Fact]
    public void Daily_means_give_an_ordered_band_that_becomes_evidence_as_failure_nears_and_a_repair_starts_afresh()
    {
        var engine = new RulEngine(horizonDays: 30);
        engine.SetModels([new RulComponentModel(DailyWearHistories.Kind, 1, Modality.Ct, "gantry_bearing", Model.Value)]);
        var pipeline = new AnalyticsPipeline([engine], Catalog);
        const double life = 90;

        void Feed(int fromDay, int toDay)
        {
            for (var d = fromDay; d < toDay; d++)
            {
                var records = new List<LogRecord>();
                for (var h = 0; h < 24; h += 2)
                {
                    var ts = T0 + d * Day + h * 3_600_000L;
                    records.Add(LogRecord.Param(ts, DailyWearHistories.Vibration, DailyWearHistories.VibrationAt(d + h / 24.0, life)));
                    records.Add(LogRecord.Param(ts, DailyWearHistories.Temperature, 36));
                }

                pipeline.Process("ct-rul", "s1", Modality.Ct, records);
            }
        }

        RulDeviceEngine Device() => (RulDeviceEngine)pipeline.Find("ct-rul")!.Engines.Single(e => e.Kind == EngineKind.Rul).Engine;

        Feed(0, 20);
        var early = Assert.Single(Device().Bands);
        Assert.True(early.P10Days <= early.P50Days && early.P50Days <= early.P90Days, $"ordered band {early}");
        Assert.Equal(19, early.Days); // days 0..18 are complete once day 19 has begun; the open day 19 never counts
        Assert.False(early.Near, $"70 days left, band {early}");
        Assert.Empty(Device().Evidence);
        Assert.Empty(pipeline.Alerts.All);

        Feed(20, 86);
        var late = Assert.Single(Device().Bands);
        Assert.True(late.P10Days <= late.P50Days && late.P50Days <= late.P90Days, $"ordered band {late}");
        Assert.True(late.P50Days < early.P50Days, $"less life left late ({late.P50Days:0.#} d) than early ({early.P50Days:0.#} d)");
        Assert.True(late.Near, $"5 days left, band {late}");
        var evidence = Assert.Single(Device().Evidence);
        Assert.Equal(EngineKind.Rul, evidence.Engine);
        var alert = Assert.Single(pipeline.Alerts.All);
        Assert.Equal("gantry_bearing", alert.Component);
        Assert.Contains(alert.Evidence, e => e.Engine == EngineKind.Rul);

        // A new model is used at once, from the days kept: no new data needed.
        engine.SetModels([new RulComponentModel(DailyWearHistories.Kind, 2, Modality.Ct, "gantry_bearing", Fit(seed: 2))]);
        Assert.Equal("rul-ct-gantry_bearing v2", Assert.Single(Device().Bands).Model);

        // The bearing is replaced: a new unit starts the next day; until it has two days there is no band.
        pipeline.ProcessMaintenance("ct-rul", "s1", Modality.Ct, new MaintenanceRecord(T0 + 86 * Day + 3_600_000, "gantry_bearing", MaintenanceAction.Replace, null, "eng"));
        Assert.Empty(Device().Bands);
        Assert.Empty(Device().Evidence);
    }

    [Fact]
    public void Kinds_name_the_modality_and_component_they_cover()
    {
        Assert.True(RulComponentModel.TryParseKind("rul-ct-gantry_bearing", out var m, out var c));
        Assert.Equal((Modality.Ct, "gantry_bearing"), (m, c));
        Assert.True(RulComponentModel.TryParseKind("rul-mri-cold_head", out m, out c));
        Assert.Equal((Modality.Mri, "cold_head"), (m, c));
        Assert.False(RulComponentModel.TryParseKind("rul-pumps-train", out _, out _));
        Assert.False(RulComponentModel.TryParseKind("rul-ct-", out _, out _));
        Assert.False(RulComponentModel.TryParseKind("anomaly-ct", out _, out _));
    }
}
