using System.Globalization;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Service.Models;

/// <summary>Recall and false alarms of a model measured on held-out data (devices or time it was not fitted or calibrated on), and what that data was.</summary>
public sealed record HeldOutFigures(double Recall, double FalseAlarmsPer100DeviceMonths, int Failures, int FalseAlarms, string HeldOut)
{
    /// <summary>The figures as registry validation entries.</summary>
    public IReadOnlyDictionary<string, double> ToValidation() => new Dictionary<string, double>
    {
        ["heldOutRecall"] = Recall,
        ["heldOutFalseAlarmsPer100DeviceMonths"] = FalseAlarmsPer100DeviceMonths,
        ["heldOutFailures"] = Failures,
        ["heldOutFalseAlarms"] = FalseAlarms,
    };
}

/// <summary>Whether a candidate replaces the champion, and why.</summary>
public sealed record GateDecision(bool Promote, string Reason);

/// <summary>
/// The promotion rule of the loop: a candidate becomes champion only when, on the same held-out data, it is at
/// least as good as the champion on recall AND on false alarms. Otherwise it is retired with its figures and the
/// reason; a person may still overrule with <c>twin models promote</c>.
/// </summary>
public static class PromotionGate
{
    private const double Tolerance = 1e-9;

    public static GateDecision Decide(HeldOutFigures? champion, HeldOutFigures candidate)
    {
        var c = candidate;
        if (champion is null)
        {
            return new(true, F($"no champion to compare with; on {c.HeldOut}: recall {c.Recall:0.###}, {c.FalseAlarmsPer100DeviceMonths:0.###} false alarms per 100 device-months"));
        }

        var h = champion;
        var recallOk = c.Recall >= h.Recall - Tolerance;
        var alarmsOk = c.FalseAlarmsPer100DeviceMonths <= h.FalseAlarmsPer100DeviceMonths + Tolerance;
        var figures = F($"recall {c.Recall:0.###} vs champion {h.Recall:0.###}, false alarms {c.FalseAlarmsPer100DeviceMonths:0.###} vs {h.FalseAlarmsPer100DeviceMonths:0.###} per 100 device-months on {c.HeldOut}");
        return (recallOk, alarmsOk) switch
        {
            (true, true) => new(true, "at least as good as the champion: " + figures),
            (false, true) => new(false, "refused, lower recall: " + figures),
            (true, false) => new(false, "refused, more false alarms: " + figures),
            _ => new(false, "refused, lower recall and more false alarms: " + figures),
        };
    }

    /// <summary>
    /// Registers <paramref name="candidate"/> with its held-out figures and applies the gate: promoted (the champion it
    /// replaces retired) or retired, with the reason, written to the audit trail as <paramref name="actor"/>.
    /// </summary>
    public static async Task<(ModelRecord Record, GateDecision Decision)> SubmitAsync(IModelRegistry registry, IAuditStore audit, ModelRecord candidate,
        HeldOutFigures figures, HeldOutFigures? championFigures, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var decision = Decide(championFigures, figures);
        var validation = new Dictionary<string, double>(candidate.Validation);
        foreach (var (k, v) in figures.ToValidation())
        {
            validation[k] = v;
        }

        var before = await registry.ChampionAsync(candidate.Kind, ct).ConfigureAwait(false);
        await registry.RegisterAsync(candidate with { State = ModelState.Candidate, Validation = validation, Reason = "validating on " + figures.HeldOut }, ct).ConfigureAwait(false);
        ModelRecord record;
        if (decision.Promote)
        {
            record = await registry.PromoteAsync(candidate.Kind, candidate.Version, actor, decision.Reason, now, ct).ConfigureAwait(false);
            await audit.AppendAsync([ModelRegistryService.AuditOf(candidate.Kind, actor, now, "promoted", before, record, decision.Reason)], ct).ConfigureAwait(false);
        }
        else
        {
            record = await registry.SetStateAsync(candidate.Kind, candidate.Version, ModelState.Retired, actor, decision.Reason, now, ct).ConfigureAwait(false);
            await audit.AppendAsync([ModelRegistryService.AuditOf(candidate.Kind, actor, now, "refused", before, record, decision.Reason)], ct).ConfigureAwait(false);
        }

        return (record, decision);
    }

    /// <summary>
    /// The gate per modality: each anomaly candidate is judged on its own modality's held-out figures against its own
    /// champion, so one round can promote the MRI model and refuse the CT one. A candidate whose modality has no figures
    /// (no device of it in the held-out data) is registered as a candidate awaiting validation, not decided.
    /// </summary>
    public static async Task<IReadOnlyList<(ModelRecord Record, GateDecision Decision)>> SubmitPerModalityAsync(IModelRegistry registry, IAuditStore audit,
        IReadOnlyList<ModelRecord> candidates, IReadOnlyDictionary<Modality, HeldOutFigures> figures, IReadOnlyDictionary<Modality, HeldOutFigures>? championFigures,
        string actor, DateTimeOffset now, CancellationToken ct)
    {
        var decided = new List<(ModelRecord, GateDecision)>();
        foreach (var candidate in candidates)
        {
            if (ModelKinds.AnomalyModality(candidate.Kind) is not { } modality || !figures.TryGetValue(modality, out var mine))
            {
                await registry.RegisterAsync(candidate with { State = ModelState.Candidate, Reason = "not validated: the held-out data has no device of its modality" }, ct).ConfigureAwait(false);
                continue;
            }

            var hasChampion = await registry.ChampionAsync(candidate.Kind, ct).ConfigureAwait(false) is not null;
            var theirs = hasChampion ? championFigures?.GetValueOrDefault(modality) : null;
            decided.Add(await SubmitAsync(registry, audit, candidate, mine, theirs, actor, now, ct).ConfigureAwait(false));
        }

        return decided;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
