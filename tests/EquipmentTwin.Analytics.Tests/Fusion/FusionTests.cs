using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Fusion;

public class FusionTests
{
    private static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const long Hour = 3_600_000;

    /// <summary>An engine whose evidence the test sets by hand.</summary>
    private sealed class ScriptedEngine(EngineKind kind) : IAnalyticsEngine, IDeviceEngine
    {
        public List<Evidence> Current { get; } = new();
        public EngineKind Kind => kind;
        public IReadOnlyList<Evidence> Evidence => Current;
        public IDeviceEngine CreateDevice(DeviceContext context) => this;
        public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history) { }
        public void OnEvent(in LogRecord record, DeviceHistory history) { }
        public void OnMaintenance(MaintenanceRecord record, DeviceHistory history) => Current.Clear();
        public void OnHour(long hourEndMs, DeviceHistory history) { }

        public void Say(string source, string component, double confidence, long sinceMs, Severity severity = Severity.Warning, Forecast? forecast = null)
        {
            Current.RemoveAll(e => e.Source == source);
            Current.Add(new Evidence(kind, source, component, sinceMs, sinceMs, confidence, severity, $"{source} says {component}", [], forecast));
        }
    }

    private sealed class Harness
    {
        public ScriptedEngine Rules { get; } = new(EngineKind.Rules);
        public ScriptedEngine Physics { get; } = new(EngineKind.Physics);
        public ScriptedEngine Anomaly { get; } = new(EngineKind.Anomaly);
        public AnalyticsPipeline Pipeline { get; }
        public List<(string Id, AlertChangeKind Kind)> Changes { get; } = new();
        private long _clock = T0;

        public Harness(FusionOptions? options = null)
        {
            Pipeline = new AnalyticsPipeline([Rules, Physics, Anomaly], Catalog, options ?? new FusionOptions { AnomalyMinAge = TimeSpan.Zero, AnomalyMayOpenAlone = true });
            Pipeline.Alerts.Changed += (a, k) => Changes.Add((a.Id, k));
        }

        public long Now => _clock;

        /// <summary>Advances event time by whole hours with a heartbeat reading.</summary>
        public void Hours(int hours)
        {
            for (var i = 0; i < hours; i++)
            {
                _clock += Hour;
                Pipeline.Process("mri01", "site1", Modality.Mri, [LogRecord.Param(_clock, "he_level_pct", 80)]);
            }
        }
    }

    private static Forecast ForecastAt(long p50) =>
        new("cold_head", "coldhead_stage2_k", 4.6, ThresholdDirection.Above, p50 - 2 * 86_400_000, p50, p50 + 2 * 86_400_000, "linear", new Dictionary<string, double>(), 0.9, 100, p50 - 10 * 86_400_000);

    [Fact]
    public void Evidence_from_several_engines_on_one_component_group_makes_one_alert_that_is_updated_not_duplicated()
    {
        var h = new Harness();
        h.Hours(1);
        h.Rules.Say("mr-coldhead-warm", "cold_head", 0.6, h.Now);
        h.Hours(2);
        h.Physics.Say("mr-helium", "cryostat", 0.7, h.Now, Severity.Error, ForecastAt(h.Now + 10 * 86_400_000));
        h.Hours(2);
        h.Anomaly.Say("pca", "compressor", 0.6, h.Now);
        h.Hours(2);

        var alert = Assert.Single(h.Pipeline.Alerts.All);
        Assert.Equal(AlertState.Open, alert.State);
        Assert.Equal(3, alert.Evidence.Count);
        Assert.Equal([EngineKind.Rules, EngineKind.Physics, EngineKind.Anomaly], alert.FirstEvidenceMs.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        Assert.True(alert.Confidence > 0.9, $"fused confidence {alert.Confidence}");
        Assert.Equal(Severity.Error, alert.Severity);
        Assert.NotNull(alert.Forecast);
        Assert.Equal([AlertChangeKind.Opened, AlertChangeKind.Updated, AlertChangeKind.Updated], h.Changes.Select(c => c.Kind));

        // It keeps what it opened on, through a snapshot too, while its evidence moves on.
        Assert.Equal("mr-coldhead-warm says cold_head", alert.OpenedOn);
        Assert.NotEqual(alert.OpenedOn, alert.Evidence[0].Summary);
        Assert.Equal(alert.OpenedOn, MaintenanceAlert.FromSnapshot(alert.ToSnapshot()).OpenedOn);
    }

    [Fact]
    public void An_alert_shows_a_forecast_only_once_its_evidence_could_alert_alone_and_then_follows_that_model()
    {
        var h = new Harness();
        h.Hours(1);
        h.Rules.Say("mr-coldhead-warm", "cold_head", 0.8, h.Now);
        h.Physics.Say("mr-coldhead", "cold_head", 0.3, h.Now, Severity.Warning, ForecastAt(h.Now + 20 * 86_400_000));
        h.Hours(1);

        // The rule opened the alert; the fit is too unsure to alert by itself, so the alert gives no "how soon".
        var alert = Assert.Single(h.Pipeline.Alerts.All);
        Assert.Null(alert.Forecast);
        Assert.Null(alert.FirstForecast);

        var sure = ForecastAt(h.Now + 12 * 86_400_000);
        h.Physics.Say("mr-coldhead", "cold_head", 0.6, h.Now, Severity.Warning, sure);
        h.Hours(1);
        Assert.Equal(sure, alert.Forecast);
        Assert.Equal(sure, alert.FirstForecast);

        // Once shown, the model's later forecasts are shown even when its confidence dips.
        var later = ForecastAt(h.Now + 9 * 86_400_000);
        h.Physics.Say("mr-coldhead", "cold_head", 0.4, h.Now, Severity.Warning, later);
        h.Hours(1);
        Assert.Equal(later, alert.Forecast);
        Assert.Equal(sure, alert.FirstForecast);

        // Another unsure model's forecast does not replace it, however much nearer it says the failure is.
        var other = ForecastAt(h.Now + 2 * 86_400_000) with { Model = "onset-exponential:other" };
        h.Physics.Say("mr-other", "cold_head", 0.45, h.Now, Severity.Warning, other);
        h.Hours(1);
        Assert.Equal(later, alert.Forecast);
    }

    [Fact]
    public void Weak_evidence_alone_opens_nothing_but_agreeing_weak_evidence_does()
    {
        var h = new Harness();
        h.Hours(1);
        h.Anomaly.Say("pca", "cold_head", 0.45, h.Now);
        h.Hours(3);
        Assert.Empty(h.Pipeline.Alerts.All);

        h.Rules.Say("mr-he-rate", "cryostat", 0.3, h.Now, Severity.Info);
        h.Hours(1);
        var alert = Assert.Single(h.Pipeline.Alerts.All);
        Assert.InRange(alert.Confidence, 0.5, 0.6);
    }

    [Fact]
    public void Alert_goes_open_acknowledged_resolved_and_a_repair_resolves_it_by_itself()
    {
        var h = new Harness();
        h.Hours(1);
        h.Rules.Say("mr-coldhead-warm", "cold_head", 0.8, h.Now, Severity.Error);
        h.Hours(1);
        var first = Assert.Single(h.Pipeline.Alerts.All);

        Assert.True(h.Pipeline.Alerts.Acknowledge(first.Id, h.Now, "engineer"));
        Assert.False(h.Pipeline.Alerts.Acknowledge(first.Id, h.Now, "engineer"));
        Assert.Equal(AlertState.Acknowledged, first.State);
        Assert.True(h.Pipeline.Alerts.Resolve(first.Id, h.Now, "cold head replaced", "engineer"));
        Assert.Equal(AlertState.Resolved, first.State);
        Assert.False(h.Pipeline.Alerts.Resolve(first.Id, h.Now, null, null));

        // Still-present old evidence does not reopen it; new evidence does, as a new alert.
        h.Hours(3);
        Assert.Single(h.Pipeline.Alerts.All);
        h.Rules.Say("mr-coldhead-warm", "cold_head", 0.8, h.Now + 1, Severity.Error);
        h.Hours(1);
        var second = h.Pipeline.Alerts.All.Single(a => a.Id != first.Id);
        Assert.Equal(AlertState.Open, second.State);

        h.Pipeline.ProcessMaintenance("mri01", "site1", Modality.Mri, new MaintenanceRecord(h.Now, "cold_head", MaintenanceAction.Replace, "Cold head exchanged", "JD"));
        Assert.Equal(AlertState.Resolved, second.State);
        Assert.Contains("replace of cold_head", second.ClosedReason);
        h.Hours(5);
        Assert.Equal(2, h.Pipeline.Alerts.All.Count);
    }

    [Fact]
    public void A_service_visit_leaves_a_standing_failure_open_and_its_later_symptoms_join_it_but_resolves_what_it_fixed()
    {
        var h = new Harness();
        h.Hours(1);
        var tripped = h.Now;
        h.Rules.Say("mr-cmp-trip", "compressor", 0.8, tripped, Severity.Error);
        h.Hours(1);
        var alert = Assert.Single(h.Pipeline.Alerts.All);

        // Preventive service of the compressor: the trip rule still stands after it (the visit did not restart it).
        h.Pipeline.ProcessMaintenance("mri01", "site1", Modality.Mri, new MaintenanceRecord(h.Now, "compressor", MaintenanceAction.Service, "PM: adsorber replaced", "JD"));
        h.Rules.Say("mr-cmp-trip", "compressor", 0.8, tripped, Severity.Error);
        h.Hours(4);
        Assert.Equal(AlertState.Open, alert.State);

        // Helium falls again after a top-off: the same failure, not a new alert.
        h.Rules.Say("mr-he-critical", "cryostat", 0.9, h.Now, Severity.Critical);
        h.Hours(2);
        Assert.Same(alert, Assert.Single(h.Pipeline.Alerts.All));

        // A top-off that cures a helium alert resolves it once its evidence is gone.
        var other = new Harness();
        other.Hours(1);
        other.Rules.Say("mr-he-low", "cryostat", 0.6, other.Now);
        other.Hours(1);
        var low = Assert.Single(other.Pipeline.Alerts.All);
        other.Pipeline.ProcessMaintenance("mri01", "site1", Modality.Mri, new MaintenanceRecord(other.Now, "cryostat", MaintenanceAction.Service, "Helium top-off", "JD"));
        other.Hours(3);
        Assert.Equal(AlertState.Resolved, low.State);
        Assert.Contains("service of cryostat", low.ClosedReason);
    }

    [Fact]
    public void False_alarm_closes_the_alert_and_ignores_the_evidence_that_raised_it()
    {
        var h = new Harness();
        h.Hours(1);
        h.Anomaly.Say("pca", "gradient_amp", 0.9, h.Now);
        h.Hours(1);
        var alert = Assert.Single(h.Pipeline.Alerts.All);

        Assert.True(h.Pipeline.Alerts.MarkFalseAlarm(alert.Id, h.Now, "sensor cable", "engineer"));
        h.Hours(48);

        Assert.Equal(AlertState.FalseAlarm, Assert.Single(h.Pipeline.Alerts.All).State);
        Assert.Equal(AlertChangeKind.FalseAlarm, h.Changes[^1].Kind);
    }

    [Fact]
    public void Alert_with_no_evidence_for_three_days_resolves_as_cleared()
    {
        var h = new Harness();
        h.Hours(1);
        h.Rules.Say("mr-room-hot", "room", 0.6, h.Now);
        h.Hours(2);
        h.Rules.Current.Clear();
        h.Hours(71);
        Assert.Equal(AlertState.Open, Assert.Single(h.Pipeline.Alerts.All).State);

        h.Hours(2);
        var alert = Assert.Single(h.Pipeline.Alerts.All);
        Assert.Equal(AlertState.Resolved, alert.State);
        Assert.StartsWith("evidence cleared", alert.ClosedReason);
    }

    [Fact]
    public void Anomaly_evidence_opens_an_alert_only_once_it_has_persisted_and_never_on_context_components()
    {
        var h = new Harness(new FusionOptions { AnomalyMayOpenAlone = true });
        h.Hours(1);
        h.Anomaly.Say("pca", "room", 0.9, h.Now);
        h.Anomaly.Say("pca2", "compressor", 0.9, h.Now);
        h.Hours(24 * 7 - 1);
        Assert.Empty(h.Pipeline.Alerts.All);

        h.Hours(2);
        var alert = Assert.Single(h.Pipeline.Alerts.All);
        Assert.Equal("compressor", alert.Component);
    }

    [Fact]
    public void With_anomaly_alone_switched_off_anomaly_evidence_corroborates_but_does_not_open_an_alert_alone()
    {
        Assert.True(new FusionOptions().AnomalyMayOpenAlone);
        var h = new Harness(new FusionOptions { AnomalyMinAge = TimeSpan.Zero, AnomalyMayOpenAlone = false });
        h.Hours(1);
        h.Anomaly.Say("pca", "compressor", 0.9, h.Now);
        h.Hours(24);
        Assert.Empty(h.Pipeline.Alerts.All);

        h.Rules.Say("mr-coldhead-warm", "cold_head", 0.6, h.Now);
        h.Hours(1);
        var alert = Assert.Single(h.Pipeline.Alerts.All);
        Assert.True(alert.Confidence > 0.8, $"corroborated confidence {alert.Confidence}");
        Assert.Contains(alert.Evidence, e => e.Engine == EngineKind.Anomaly);
    }

    [Fact]
    public void Engine_views_see_only_their_engine()
    {
        var h = new Harness();
        var physicsOnly = h.Pipeline.AddView("physics", e => e == EngineKind.Physics);
        h.Hours(1);
        h.Rules.Say("mr-coldhead-warm", "cold_head", 0.8, h.Now);
        h.Hours(1);

        Assert.Single(h.Pipeline.Alerts.All);
        Assert.Empty(physicsOnly.All);
    }
}
