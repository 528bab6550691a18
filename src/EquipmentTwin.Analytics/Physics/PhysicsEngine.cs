using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// Deductive, calibrated engine: physical laws (line, change point, exponential growth, Poisson rate,
/// Weibull life) fitted to each device's own data, forecasting when a component crosses its failure threshold.
/// </summary>
public sealed class PhysicsEngine(PhysicsConfig config) : IAnalyticsEngine
{
    public PhysicsConfig Config { get; } = config;

    public EngineKind Kind => EngineKind.Physics;

    /// <summary>Raised when a device's model is calibrated afresh (its baseline fitted after a start or a reset); event time.</summary>
    public event Action<PhysicsCalibration>? Calibrated;

    public IDeviceEngine CreateDevice(DeviceContext context) => new PhysicsDeviceEngine(Config.For(context.Modality), context.DeviceId, this);

    internal bool Observed => Calibrated is not null;

    internal void OnCalibrated(PhysicsCalibration calibration) => Calibrated?.Invoke(calibration);

    /// <summary>A model's baseline is learned from its start (first data or last repair): it may read all the hourly history kept.</summary>
    public HistoryNeeds NeedsOf(DeviceContext context)
    {
        var needs = new HistoryNeeds();
        foreach (var model in Config.For(context.Modality))
        {
            if (model.Signal is { } signal)
            {
                needs.Hourly(signal, DeviceHistory.HourCapacity);
            }

            if (model.Clock is { } clock)
            {
                needs.Hourly(clock.Signal, DeviceHistory.HourCapacity);
            }
        }

        return needs;
    }
}
