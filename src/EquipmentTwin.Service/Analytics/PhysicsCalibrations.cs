using System.Collections.Concurrent;
using System.Globalization;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Service.Analytics;

/// <summary>
/// Versions the physics engine's per-device calibrations in the model registry: each time a device's model is
/// calibrated afresh (its baseline fitted after the start of its data or a repair), a version of kind
/// <c>physics-cal-{device}-{model}</c> is registered with the time range it was fitted on, its held-out residual
/// and the baseline, and made champion (the previous one retired). Replaying the same data after a restart finds
/// the same time range and adds nothing. Calibrations are collected inside the pipeline lock and written by the
/// analytics runner after each batch, whose retry covers a registry that fails (nothing is dropped: what a
/// failed write took is put back).
/// </summary>
public sealed class PhysicsCalibrations
{
    public const string KindPrefix = "physics-cal-";

    private readonly IModelRegistry _registry;
    private readonly TimeProvider _time;
    private readonly List<PhysicsCalibration> _pending = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ModelRecord>> _inUse = new(StringComparer.Ordinal);

    public PhysicsCalibrations(IModelRegistry registry, TimeProvider time, IEnumerable<EquipmentTwin.Analytics.Engines.IAnalyticsEngine> engines)
    {
        _registry = registry;
        _time = time;
        foreach (var physics in engines.OfType<PhysicsEngine>())
        {
            physics.Calibrated += c =>
            {
                lock (_pending)
                {
                    _pending.Add(c);
                }
            };
        }
    }

    public static string KindOf(string deviceId, string modelId) => KindPrefix + deviceId + "-" + modelId;

    /// <summary>The calibration versions in use for a device, by physics model id.</summary>
    public IReadOnlyDictionary<string, ModelRecord> InUse(string deviceId) =>
        _inUse.TryGetValue(deviceId, out var map) ? map : new Dictionary<string, ModelRecord>();

    /// <summary>Writes the calibrations collected since the last call; on failure they are put back and the exception rethrown.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        List<PhysicsCalibration> batch;
        lock (_pending)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            batch = [.. _pending];
            _pending.Clear();
        }

        var done = 0;
        try
        {
            for (; done < batch.Count; done++)
            {
                await RecordAsync(batch[done], ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lock (_pending)
            {
                _pending.InsertRange(0, batch.Skip(done));
            }

            throw;
        }
    }

    private async Task RecordAsync(PhysicsCalibration c, CancellationToken ct)
    {
        var kind = KindOf(c.DeviceId, c.ModelId);
        var champion = await _registry.ChampionAsync(kind, ct).ConfigureAwait(false);
        if (champion is not null && champion.TrainedFromMs == c.FromMs && champion.TrainedToMs == c.ToMs)
        {
            Use(c, champion);
            return;
        }

        var now = _time.GetUtcNow();
        var version = (await _registry.ListAsync(kind, ct).ConfigureAwait(false)).Select(r => r.Version).DefaultIfEmpty(0).Max() + 1;
        var inv = CultureInfo.InvariantCulture;
        var reason = champion is null ? "first calibration on this device's data" : $"recalibrated on data after {WireCodec.FormatRfc3339(c.FromMs)} (a repair or reset of {c.Component})";
        var record = await _registry.RegisterAsync(new ModelRecord
        {
            Kind = kind,
            Version = version,
            Reason = reason,
            Source = string.Create(inv, $"device {c.DeviceId}, hourly means of {c.Signal} ({c.Hours} hours): baseline {c.Baseline:0.####}"),
            TrainedFromMs = c.FromMs,
            TrainedToMs = c.ToMs,
            Validation = new Dictionary<string, double>
            {
                ["baseline"] = c.Baseline,
                ["heldOutRmse"] = c.HeldOutRmse,
                ["heldOutMae"] = c.HeldOutMae,
                ["heldOutHours"] = c.HeldOutHours,
                ["hours"] = c.Hours,
            },
            CreatedAt = now,
            ChangedAt = now,
            ChangedBy = "system",
        }, ct).ConfigureAwait(false);
        record = await _registry.PromoteAsync(kind, record.Version, "system", reason, now, ct).ConfigureAwait(false);
        Use(c, record);
    }

    private void Use(PhysicsCalibration c, ModelRecord record) =>
        _inUse.GetOrAdd(c.DeviceId, _ => new ConcurrentDictionary<string, ModelRecord>(StringComparer.Ordinal))[c.ModelId] = record;
}
