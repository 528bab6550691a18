using System.Globalization;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Service.Alerts;

/// <summary>
/// What a twin's analysis holds, read from the pipeline: health, open alerts, signal forecasts, learned RUL bands,
/// data quality and the model versions in use. The caller holds the pipeline lock.
/// </summary>
internal sealed class TwinAnalysisView(AnalyticsPipeline pipeline, ModelsInUse models, PhysicsCalibrations? calibrations = null)
{
    public TwinSummaryDto? Summary(string deviceId)
    {
        var device = pipeline.Find(deviceId);
        var open = pipeline.Alerts.ForDevice(deviceId).Where(a => !a.State.IsClosed()).Select(a => a.ToSnapshot()).ToList();
        if (device is null && open.Count == 0)
        {
            return null;
        }

        var site = device?.Context.Site ?? open[0].Site;
        var modality = device?.Context.Modality ?? open[0].Modality;
        return new TwinSummaryDto(deviceId, site, modality.ToWire(), AlertJson.Health(open),
            device is { History.NowMs: > long.MinValue } d ? AlertJson.Time(d.History.NowMs) : null,
            open.Select(AlertJson.ToDto).ToList(),
            SignalForecasts(deviceId).Select(AlertJson.ToDto).ToList(),
            device?.DataQuality().Select(AlertJson.ToDto).ToList() ?? [],
            ModelVersions(modality, deviceId));
    }

    public TwinAnalysis Analysis(string deviceId)
    {
        var device = pipeline.Find(deviceId);
        var open = pipeline.Alerts.ForDevice(deviceId).Where(a => !a.State.IsClosed()).ToList();
        var worst = open.Select(a => (Severity?)a.Severity).Max();
        var health = worst switch
        {
            null => DeviceHealth.Ok,
            Severity.Info or Severity.Warning => DeviceHealth.Watch,
            Severity.Error => DeviceHealth.AtRisk,
            _ => DeviceHealth.Critical,
        };
        return new TwinAnalysis(
            health,
            device is { History.NowMs: > long.MinValue } d ? d.History.NowMs : null,
            SignalForecasts(deviceId).Select(f => new TwinForecast(f.Component, f.Signal, f.Threshold, f.Direction == ThresholdDirection.Above, f.P10Ms, f.P50Ms, f.P90Ms, f.Model, f.Parameters, f.RSquared, f.Points, f.ComputedAtMs)).ToArray(),
            open.OrderByDescending(a => a.Severity).ThenByDescending(a => a.Confidence)
                .Select(a => new TwinAlert(a.Id, a.Component, a.State.ToWire(), a.Severity, a.Confidence, a.OpenedMs, a.Forecast?.P50Ms)).ToArray(),
            device?.DataQuality().Select(q => new TwinDataQuality(q.Signal, q.Kind.ToString().ToLowerInvariant(), q.SinceMs, q.UpdatedMs, q.Summary)).ToArray() ?? [],
            device is null ? new Dictionary<string, string>() : ModelVersions(device.Context.Modality, deviceId))
        {
            RemainingLife = RemainingLife(device),
        };
    }

    /// <summary>Forecasts of a signal crossing its threshold; RUL bands are reported apart (<see cref="TwinAnalysis.RemainingLife"/>).</summary>
    private IEnumerable<Forecast> SignalForecasts(string deviceId) => pipeline.Forecasts(deviceId).Where(f => f.Signal != RulEngine.Source);

    private static TwinRul[] RemainingLife(DeviceAnalytics? device)
    {
        if (device?.Engines.FirstOrDefault(e => e.Kind == EngineKind.Rul).Engine is not RulDeviceEngine rul)
        {
            return [];
        }

        return rul.Bands.OrderBy(b => b.P50Days).Select(b => new TwinRul(b.Component, b.Model, b.AsOfMs, b.P10Days, b.P50Days, b.P90Days, b.Days, b.Near, rul.HorizonDays)).ToArray();
    }

    /// <summary>The versions of the models behind a modality's evidence: the registry's champions in use.</summary>
    private IReadOnlyDictionary<string, string> ModelVersions(Modality modality, string deviceId)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var engine in pipeline.Engines)
        {
            if (engine is RulEngine rul)
            {
                var names = rul.Models.Where(m => m.Modality == modality).Select(m => models.Find(m.Kind) is { } r && r.Version == m.Version ? Describe(r) : m.Name).ToArray();
                map[AlertJson.Engine(engine.Kind)] = names.Length > 0 ? string.Join(", ", names) : "no model";
                continue;
            }

            var kind = engine.Kind switch
            {
                EngineKind.Rules => ModelKinds.Rules,
                EngineKind.Physics => ModelKinds.Physics,
                _ => ModelKinds.Anomaly(modality),
            };
            map[AlertJson.Engine(engine.Kind)] = models.Find(kind) is { } m ? Describe(m) : engine.Kind == EngineKind.Anomaly ? "no model" : "configuration";
        }

        // The physics engine's per-device calibrations in use (docs/models.md, "Physics calibrations per device").
        foreach (var (model, record) in (calibrations?.InUse(deviceId) ?? new Dictionary<string, ModelRecord>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            map["physics-cal " + model] = string.Create(CultureInfo.InvariantCulture,
                $"v{record.Version} (fitted {WireCodec.FormatRfc3339(record.TrainedFromMs ?? 0)[..16]} to {WireCodec.FormatRfc3339(record.TrainedToMs ?? 0)[..16]}, held-out RMSE {record.Validation.GetValueOrDefault("heldOutRmse"):0.####})");
        }

        return map;
    }

    private static string Describe(ModelRecord m) =>
        $"{m.Kind} v{m.Version}" + (m.TrainedFromMs is { } from && m.TrainedToMs is { } to
            ? $" (trained {WireCodec.FormatRfc3339(from)[..10]} to {WireCodec.FormatRfc3339(to)[..10]})"
            : "");
}
