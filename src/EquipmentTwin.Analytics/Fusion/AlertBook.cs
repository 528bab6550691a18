using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Fusion;

/// <summary>
/// Fuses the engines' evidence into maintenance alerts and keeps their lifecycle. Per device and
/// component group: fused confidence = 1 − Π(1 − wₑ·cₑ) over the strongest evidence of each
/// (engine, source); an alert opens when it reaches the threshold, is updated (not duplicated) while
/// evidence changes, resolves itself after a repair of a component in its group or when all evidence
/// has been gone for <see cref="FusionOptions.ClearAfter"/>, and can be acknowledged, resolved or
/// marked a false alarm by an engineer. Evidence older than such a closure does not reopen it.
/// </summary>
public sealed class AlertBook
{
    private readonly Dictionary<string, MaintenanceAlert> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Device, string Group), MaintenanceAlert> _active = new();
    private readonly Dictionary<(string Device, string Group), long> _ignoreEvidenceBefore = new();
    private readonly Dictionary<(string Device, string Component), int> _counters = new();
    private readonly Dictionary<(string Device, string Group), ServiceVisit> _visits = new();
    private readonly Func<EngineKind, bool> _include;

    public AlertBook(string name, FusionOptions options, Func<EngineKind, bool>? include = null)
    {
        Name = name;
        Options = options;
        _include = include ?? (_ => true);
    }

    public string Name { get; }
    public FusionOptions Options { get; }

    /// <summary>Raised on every published change of an alert.</summary>
    public event Action<MaintenanceAlert, AlertChangeKind>? Changed;

    public IReadOnlyCollection<MaintenanceAlert> All => _byId.Values;

    public MaintenanceAlert? Find(string id) => _byId.GetValueOrDefault(id);

    public IEnumerable<MaintenanceAlert> ForDevice(string deviceId) => _byId.Values.Where(a => a.DeviceId == deviceId);

    /// <summary>Re-weighs the device's current evidence at event time <paramref name="nowMs"/>.</summary>
    public void Evaluate(DeviceContext device, IEnumerable<Evidence> evidence, long nowMs)
    {
        var byGroup = new Dictionary<string, List<Evidence>>(StringComparer.Ordinal);
        foreach (var e in evidence)
        {
            if (!_include(e.Engine) ||
                (e.Engine == EngineKind.Anomaly && (Options.AnomalyContextComponents.Contains(e.Component) || nowMs - e.SinceMs < (long)Options.AnomalyMinAge.TotalMilliseconds)))
            {
                continue;
            }

            var group = Options.GroupOf(device.Modality, e.Component);
            if (_ignoreEvidenceBefore.TryGetValue((device.DeviceId, group), out var cut) && e.SinceMs <= cut)
            {
                continue;
            }

            if (!byGroup.TryGetValue(group, out var list))
            {
                byGroup[group] = list = new List<Evidence>();
            }

            list.Add(e);
        }

        JudgeServiceVisits(device.DeviceId, byGroup, nowMs);
        foreach (var (group, list) in byGroup)
        {
            var fused = Fuse(list);
            if (_active.TryGetValue((device.DeviceId, group), out var alert))
            {
                Update(alert, list, fused, nowMs);
            }
            else if (fused >= Options.OpenThreshold && (Options.AnomalyMayOpenAlone || list.Any(e => e.Engine != EngineKind.Anomaly)))
            {
                Open(device, group, list, fused, nowMs);
            }
        }

        foreach (var alert in _active.Values.Where(a => a.DeviceId == device.DeviceId && !byGroup.ContainsKey(a.Group)).ToList())
        {
            if (nowMs - alert.LastEvidenceMs >= (long)Options.ClearAfter.TotalMilliseconds)
            {
                Close(alert, AlertState.Resolved, nowMs, "evidence cleared: no engine has reported this for " + FormatSpan(nowMs - alert.LastEvidenceMs), null);
            }
        }
    }

    /// <summary>
    /// A repair, replacement or adjustment resolves the group's alert; a service visit resolves an alert on that
    /// very component unless the evidence on it still stands an hour after the visit; "no fault found" on a
    /// component of the group closes its alert as a false alarm.
    /// </summary>
    public void OnMaintenance(DeviceContext device, MaintenanceRecord record)
    {
        var group = Options.GroupOf(device.Modality, record.Component);
        var fixes = record.Action is MaintenanceAction.Repair or MaintenanceAction.Replace or MaintenanceAction.Adjust;
        if (fixes)
        {
            Ignore(device.DeviceId, group, record.TimestampMs);
        }

        if (!_active.TryGetValue((device.DeviceId, group), out var alert))
        {
            return;
        }

        var what = $"{record.Action.ToWire()} of {record.Component}" + (record.Text is { Length: > 0 } t ? ": " + t : "");
        if (record.Action == MaintenanceAction.NoFaultFound)
        {
            Ignore(device.DeviceId, group, record.TimestampMs);
            Close(alert, AlertState.FalseAlarm, record.TimestampMs, what, record.Engineer);
        }
        else if (fixes)
        {
            _visits.Remove((device.DeviceId, group));
            Ignore(device.DeviceId, group, record.TimestampMs);
            Close(alert, AlertState.Resolved, record.TimestampMs, what, record.Engineer);
        }
        else if (alert.Component == record.Component)
        {
            // A scheduled visit fixes what it tops off or adjusts, not a standing failure: the preventive service of a
            // tripped compressor leaves it tripped. Closing here hid the standing evidence, and the next symptom of the
            // same failure (helium falling again after the top-off) opened a new alert. Judged once the engines have
            // seen data after the visit.
            _visits[(device.DeviceId, group)] = new ServiceVisit(alert, record.Component, record.TimestampMs, what, record.Engineer);
        }
    }

    /// <summary>After <see cref="ServiceVisitGrace"/>: resolves the visited alert unless evidence on the visited component from before the visit still stands.</summary>
    private void JudgeServiceVisits(string deviceId, Dictionary<string, List<Evidence>> byGroup, long nowMs)
    {
        if (_visits.Count == 0)
        {
            return;
        }

        foreach (var ((device, group), visit) in _visits.Where(v => v.Key.Device == deviceId).ToList())
        {
            if (nowMs - visit.AtMs < ServiceVisitGrace)
            {
                continue;
            }

            _visits.Remove((device, group));
            if (!ReferenceEquals(_active.GetValueOrDefault((device, group)), visit.Alert))
            {
                continue;
            }

            var stands = byGroup.TryGetValue(group, out var list) && list.Any(e => e.Component == visit.Component && e.SinceMs <= visit.AtMs);
            if (!stands)
            {
                Ignore(device, group, visit.AtMs);
                Close(visit.Alert, AlertState.Resolved, nowMs, visit.What, visit.Engineer);
                if (list is not null && list.RemoveAll(e => e.SinceMs <= visit.AtMs) >= 0 && list.Count == 0)
                {
                    byGroup.Remove(group);
                }
            }
        }
    }

    /// <summary>How long after a service visit the evidence is judged: the rules see the next hour of data, the physics models refit on the hour.</summary>
    private const long ServiceVisitGrace = 2 * 3_600_000;

    private sealed record ServiceVisit(MaintenanceAlert Alert, string Component, long AtMs, string What, string? Engineer);

    public bool Acknowledge(string id, long nowMs, string? by)
    {
        if (!_byId.TryGetValue(id, out var alert) || alert.State != AlertState.Open)
        {
            return false;
        }

        alert.State = AlertState.Acknowledged;
        alert.AcknowledgedBy = by;
        alert.UpdatedMs = Math.Max(alert.UpdatedMs, nowMs);
        Publish(alert, AlertChangeKind.Acknowledged);
        return true;
    }

    public bool Resolve(string id, long nowMs, string? reason, string? by) => CloseByUser(id, AlertState.Resolved, nowMs, reason ?? "resolved by engineer", by);

    /// <summary>An engineer says nothing was wrong: closes the alert and ignores the evidence that raised it.</summary>
    public bool MarkFalseAlarm(string id, long nowMs, string? reason, string? by) => CloseByUser(id, AlertState.FalseAlarm, nowMs, reason ?? "false alarm", by);

    private bool CloseByUser(string id, AlertState state, long nowMs, string reason, string? by)
    {
        if (!_byId.TryGetValue(id, out var alert) || alert.State.IsClosed())
        {
            return false;
        }

        Ignore(alert.DeviceId, alert.Group, Math.Max(nowMs, alert.UpdatedMs));
        Close(alert, state, Math.Max(nowMs, alert.UpdatedMs), reason, by);
        return true;
    }

    private double Fuse(List<Evidence> list)
    {
        var remaining = 1.0;
        foreach (var e in list.GroupBy(e => (e.Engine, e.Source)).Select(g => g.MaxBy(x => x.Confidence)!))
        {
            remaining *= 1 - Math.Clamp(Weighted(e), 0, 1);
        }

        return 1 - remaining;
    }

    private void Open(DeviceContext device, string group, List<Evidence> evidence, double fused, long nowMs)
    {
        var key = (device.DeviceId, group);
        // The id names the component the evidence points at when the alert opens, not the group: a water-loop
        // fault is "…-water_loop-1" even though the water loop shares its group with the cold head.
        var component = Strongest(evidence);
        var n = _counters.GetValueOrDefault((device.DeviceId, component)) + 1;
        var id = $"{device.DeviceId}-{component}-{n}";
        while (_byId.ContainsKey(id))
        {
            id = $"{device.DeviceId}-{component}-{++n}";
        }

        _counters[(device.DeviceId, component)] = n;
        var alert = new MaintenanceAlert(id, device.DeviceId, device.Site, device.Modality, group, nowMs) { Component = component };
        _byId[alert.Id] = alert;
        _active[key] = alert;
        Apply(alert, evidence, fused, nowMs);
        alert.Revision = 1;
        Publish(alert, AlertChangeKind.Opened);
    }

    private void Update(MaintenanceAlert alert, List<Evidence> evidence, double fused, long nowMs)
    {
        var before = (alert.Confidence, alert.Severity, alert.Component, Sources(alert.Evidence), alert.Forecast?.P50Ms);
        Apply(alert, evidence, fused, nowMs);
        var significant =
            Math.Abs(alert.Confidence - before.Confidence) >= Options.ConfidenceStep ||
            alert.Severity != before.Severity ||
            alert.Component != before.Component ||
            !Sources(alert.Evidence).SetEquals(before.Item4) ||
            ForecastMoved(before.P50Ms, alert.Forecast?.P50Ms, nowMs);
        if (significant)
        {
            alert.UpdatedMs = nowMs;
            alert.Revision++;
            Publish(alert, AlertChangeKind.Updated);
        }
    }

    private void Apply(MaintenanceAlert alert, List<Evidence> evidence, double fused, long nowMs)
    {
        alert.Confidence = fused;
        alert.Evidence = evidence.OrderByDescending(e => e.Confidence).ToArray();
        alert.OpenedOn ??= alert.Evidence.FirstOrDefault()?.Summary;
        alert.LastEvidenceMs = nowMs;
        alert.Severity = evidence.Max(e => e.Severity);
        // The component moves only with hysteresis: symptoms of one fault (cold head, then cryostat boil-off) trade
        // places in strength hour by hour, and an alert whose subject flips back and forth is one nobody can plan a
        // visit for. It moves when its own evidence is gone, or when another component's is clearly stronger.
        var strongest = Strongest(evidence);
        if (strongest != alert.Component &&
            (evidence.All(e => e.Component != alert.Component) || Weight(evidence, strongest) - Weight(evidence, alert.Component) >= Options.ComponentSwitchMargin))
        {
            alert.Component = strongest;
        }

        alert.NoteNamed(alert.Component, nowMs);
        // "How soon" comes only from evidence that could open an alert by itself, or from the model the alert already shows:
        // a fit too unsure to alert alone (a trend still forming when a rule opens the alert) erred more than the band
        // tables allow (docs/models.md, round 10), and until one is sure the alert says what and why, not when.
        var shown = alert.Forecast?.Model;
        var forecast = evidence
            .Where(e => e.Forecast is not null && (Weighted(e) >= Options.OpenThreshold || e.Forecast.Model == shown))
            .OrderByDescending(e => e.Confidence).Select(e => e.Forecast).FirstOrDefault();
        if (forecast is not null)
        {
            alert.Forecast = forecast;
            alert.FirstForecast ??= forecast;
        }

        foreach (var e in evidence)
        {
            alert.NoteEngine(e.Engine, nowMs);
        }
    }

    /// <summary>An evidence's confidence times its engine's weight: what it brings to the noisy-OR, and whether it could open an alert alone.</summary>
    private double Weighted(Evidence e) => Options.Weights.GetValueOrDefault(e.Engine, 1.0) * e.Confidence;

    private double Weight(List<Evidence> evidence, string component) =>
        evidence.Where(e => e.Component == component).Select(Weighted).DefaultIfEmpty(0).Max();

    private string Strongest(List<Evidence> evidence) => evidence
        .OrderByDescending(Weighted)
        .ThenBy(e => e.Engine == EngineKind.Physics ? 0 : e.Engine == EngineKind.Rules ? 1 : 2)
        .ThenBy(e => e.Component, StringComparer.Ordinal)
        .First().Component;

    private bool ForecastMoved(long? before, long? after, long nowMs)
    {
        if (before is null || after is null)
        {
            return before != after;
        }

        var left = Math.Max(before.Value - nowMs, 3_600_000);
        return Math.Abs(after.Value - before.Value) > Options.ForecastStep * left;
    }

    private static HashSet<(EngineKind, string)> Sources(IReadOnlyList<Evidence> evidence) => evidence.Select(e => (e.Engine, e.Source)).ToHashSet();

    private void Close(MaintenanceAlert alert, AlertState state, long nowMs, string reason, string? by)
    {
        alert.State = state;
        alert.ClosedMs = nowMs;
        alert.ClosedReason = reason;
        alert.UpdatedMs = Math.Max(alert.UpdatedMs, nowMs);
        alert.ClosedBy = by;
        alert.Revision++;
        _active.Remove((alert.DeviceId, alert.Group));
        Publish(alert, state == AlertState.FalseAlarm ? AlertChangeKind.FalseAlarm : AlertChangeKind.Resolved);
    }

    private void Ignore(string device, string group, long ms)
    {
        if (!_ignoreEvidenceBefore.TryGetValue((device, group), out var t) || ms > t)
        {
            _ignoreEvidenceBefore[(device, group)] = ms;
        }
    }

    private void Publish(MaintenanceAlert alert, AlertChangeKind kind) => Changed?.Invoke(alert, kind);

    private static string FormatSpan(long ms) => ms >= 86_400_000 ? $"{ms / 86_400_000.0:0.#} d" : $"{ms / 3_600_000.0:0.#} h";

    /// <summary>Restores alerts kept by a store (service start-up).</summary>
    public void Restore(MaintenanceAlert alert)
    {
        _byId[alert.Id] = alert;
        if (!alert.State.IsClosed())
        {
            _active[(alert.DeviceId, alert.Group)] = alert;
        }

        var key = (alert.DeviceId, alert.Component);
        var n = int.TryParse(alert.Id[(alert.Id.LastIndexOf('-') + 1)..], out var parsed) ? parsed : 0;
        _counters[key] = Math.Max(_counters.GetValueOrDefault(key), n);
        if (alert.State.IsClosed() && alert.ClosedMs is { } closed)
        {
            Ignore(alert.DeviceId, alert.Group, closed);
        }
    }
}
