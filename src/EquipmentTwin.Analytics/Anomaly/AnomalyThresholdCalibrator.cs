namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Sets a model's threshold on healthy data it was not fitted on (simulations with other seeds, or other
/// devices): the smallest threshold at which the engine's own alarm rule — ≥ 3 of 4 windows above to raise
/// evidence, 4 below in a row to withdraw it, and the fusion's minimum age before it may open an alert —
/// raises no more than the target number of alarms on that data, then a margin on top. A split-conformal
/// threshold in spirit (the calibration data are exchangeable with new healthy devices, not with the training
/// rows): the false-alarm rate it promises does not depend on how tightly the model fits its training seed.
/// </summary>
public static class AnomalyThresholdCalibrator
{
    /// <summary>Calibrates <paramref name="model"/> on healthy runs, each a list of rows grouped by device and in time order.</summary>
    public static AnomalyModel Calibrate(
        AnomalyModel model,
        IReadOnlyList<IReadOnlyList<AnomalyFeatureRow>> healthyRuns,
        int[] seeds,
        double targetAlarmsPer100DeviceMonths = 0.5,
        double minAlarmDays = 7,
        double margin = 1.1)
    {
        var devices = healthyRuns.SelectMany(run => run.GroupBy(r => r.DeviceId).Select(g => g.OrderBy(r => r.WindowEndMs).Select(r => model.Score(r)).ToArray())).ToList();
        var rows = devices.Sum(d => d.Length);
        if (rows == 0)
        {
            return model;
        }

        var deviceMonths = devices.Sum(d => d.Length) * AnomalyFeatures.WindowMs / 86_400_000.0 / 30.4375;
        var allowed = Math.Floor(targetAlarmsPer100DeviceMonths * deviceMonths / 100);
        var minWindows = (int)Math.Ceiling(minAlarmDays * 86_400_000.0 / AnomalyFeatures.WindowMs);
        var sorted = devices.SelectMany(d => d).Order().ToArray();

        // Alarms fall as the threshold rises: search the calibration scores themselves for the smallest that suffices.
        int lo = 0, hi = sorted.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (Alarms(devices, sorted[mid], minWindows) <= allowed)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        var chosen = sorted[lo];
        var threshold = Math.Max(chosen * margin, model.Info.TrainingScoreQuantile);
        var info = model.Info with
        {
            Threshold = threshold,
            Calibration = new AnomalyThresholdCalibration(
                seeds, devices.Count, Math.Round(deviceMonths, 2), rows, targetAlarmsPer100DeviceMonths, minAlarmDays, margin,
                Math.Round(Quantile(sorted, 0.5), 4), Math.Round(Quantile(sorted, 0.999), 4), Alarms(devices, threshold, minWindows), model.Info.Threshold),
        };
        return model.WithInfo(info);
    }

    /// <summary>Evidence episodes that last at least <paramref name="minWindows"/> windows under the engine's persistence rule.</summary>
    public static int Alarms(IEnumerable<double[]> devices, double threshold, int minWindows) =>
        devices.Sum(scores => AlarmRule.Replay(scores, threshold, minWindows).Count);

    private static double Quantile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
