using EquipmentTwin.Analytics.History;
using MathNet.Numerics.Statistics;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// One per-device calibration of a physics model: the baseline (median of the hourly means over the model's first
/// <see cref="PhysicsModel.BaselineDays"/> since the device's last reset of the component) fitted on
/// [<see cref="FromMs"/>, <see cref="ToMs"/>), with a held-out figure: the same median taken over the first 80 % of
/// those hours, scored on the last 20 % it did not see (RMS and mean absolute residual, in the signal's unit).
/// </summary>
public sealed record PhysicsCalibration(
    string DeviceId,
    string ModelId,
    string Component,
    string Signal,
    long FromMs,
    long ToMs,
    double Baseline,
    int Hours,
    int HeldOutHours,
    double HeldOutRmse,
    double HeldOutMae,
    long AtMs)
{
    /// <summary>The calibration behind <paramref name="baseline"/>, with its held-out figure; null when the model has no signal or too few hours.</summary>
    public static PhysicsCalibration? Of(string deviceId, PhysicsModel model, DeviceHistory history, long fromMs, double baseline, long atMs)
    {
        var series = model.Signal is null ? null : history.Hourly(model.Signal);
        var points = series?.Since(fromMs);
        if (points is null || points.Count == 0)
        {
            return null;
        }

        var end = Math.Max(fromMs, points[0].StartMs) + (long)(model.BaselineDays * PhysicsModelEvaluator.DayMs);
        var means = points.Where(p => p.StartMs < end).Select(p => p.Mean).ToArray();
        if (means.Length < 3)
        {
            return null;
        }

        var split = Math.Max(2, (int)Math.Floor(means.Length * 0.8));
        var fitted = means[..split].ToArray();
        var heldOut = means[split..];
        var median = ArrayStatistics.MedianInplace(fitted);
        var rmse = heldOut.Length == 0 ? 0 : Math.Sqrt(heldOut.Average(v => (v - median) * (v - median)));
        var mae = heldOut.Length == 0 ? 0 : heldOut.Average(v => Math.Abs(v - median));
        return new PhysicsCalibration(deviceId, model.Id, model.Component, model.Signal!, Math.Max(fromMs, points[0].StartMs), end, baseline, means.Length, heldOut.Length, rmse, mae, atMs);
    }
}
