using System.Globalization;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Physics.Fitting;
using MathNet.Numerics.Statistics;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// Fits one model to one device's history at one moment and projects the threshold crossing; pure (reads
/// the history, keeps nothing), so the engine decides when to call it and tests can call it directly.
/// </summary>
internal static class PhysicsModelEvaluator
{
    public const double DayMs = 86_400_000;

    /// <summary>A trend is used only when |slope|/SE(slope) exceeds this (domain notes §5.6).</summary>
    public const double MinTStat = 3;

    /// <summary>Confidence is the probability of crossing within this many days.</summary>
    public const double ConfidenceDays = 30;

    private const int MinRateEvents = 5;
    private const int StuckHours = 6;

    /// <summary>
    /// The device's own baseline for <paramref name="model"/>: median of hourly means over the first
    /// <see cref="PhysicsModel.BaselineDays"/> of data at or after <paramref name="fromMs"/>; null until that much time has passed.
    /// </summary>
    public static double? Baseline(PhysicsModel model, DeviceHistory history, long fromMs, long nowMs)
    {
        var series = model.Signal is null ? null : history.Hourly(model.Signal);
        if (series is null)
        {
            return null;
        }

        var points = series.Since(fromMs);
        if (points.Count == 0)
        {
            return null;
        }

        var end = Math.Max(fromMs, points[0].StartMs) + (long)(model.BaselineDays * DayMs);
        if (nowMs < end)
        {
            return null;
        }

        var means = points.Where(p => p.StartMs < end).Select(p => p.Mean).ToArray();
        return means.Length < 3 ? null : ArrayStatistics.MedianInplace(means);
    }

    public static Projection? Evaluate(PhysicsModel model, DeviceHistory history, long nowMs, long fromMs, double? baseline)
    {
        if (nowMs - fromMs < model.MinSpanDays * DayMs)
        {
            return null;
        }

        var windowFrom = Math.Max(fromMs, nowMs - (long)(model.WindowDays * DayMs));
        return model.Law switch
        {
            PhysicsLaw.PoissonRate => EvaluateRate(model, history, nowMs, windowFrom),
            PhysicsLaw.WeibullUsage => EvaluateWeibull(model, history, nowMs, windowFrom),
            _ => EvaluateSignal(model, history, nowMs, windowFrom, baseline),
        };
    }

    private static Projection? EvaluateSignal(PhysicsModel model, DeviceHistory history, long nowMs, long windowFrom, double? baseline)
    {
        if (!TryLoad(model, history, nowMs, windowFrom, out var t, out var y, out var spikes))
        {
            return null;
        }

        double threshold;
        if (model.RelativeToBaseline)
        {
            if (baseline is not { } b)
            {
                return null;
            }

            threshold = b * (1 + model.Threshold / 100);
        }
        else
        {
            threshold = model.Threshold;
        }

        var p = new Dictionary<string, double>(StringComparer.Ordinal) { ["threshold"] = threshold, ["spikes"] = spikes };
        if (baseline is { } bl)
        {
            p["baseline"] = bl;
        }

        // A damage clock: the law is fitted in clock days, its crossing turned back into calendar days at today's rate.
        // Without a temperature reading in the window the calendar is the clock.
        var clock = model.Clock is { } arrhenius ? DamageClock.From(arrhenius, history, windowFrom, nowMs) : null;
        if (clock is not null)
        {
            t = t.Select(clock.ToClock).ToArray();
            p["clock_rate"] = clock.Rate;
            p["clock_temp_c"] = clock.TempC;
        }

        return model.Law switch
        {
            PhysicsLaw.Linear => LinearProjection(model, t, y, threshold, p, "", clock),
            PhysicsLaw.ChangePointLinear => ChangePointProjection(model, t, y, threshold, p, nowMs),
            PhysicsLaw.OnsetLinear => OnsetLinearProjection(model, t, y, baseline, threshold, p, nowMs, clock),
            PhysicsLaw.Exponential => baseline is { } phi ? ExponentialProjection(model, t, y, phi, threshold, p, nowMs) : null,
            PhysicsLaw.OnsetExponential => baseline is { } phi0 ? OnsetExponentialProjection(model, t, y, phi0, threshold, p, nowMs) : null,
            _ => throw new InvalidOperationException($"law {model.Law} is not a signal law"),
        };
    }

    private static Projection? LinearProjection(PhysicsModel model, double[] t, double[] y, double threshold, Dictionary<string, double> p, string since, DamageClock? clock = null) =>
        RobustLine.Fit(t, y, [], model.MinPoints) is { } fit ? LineProjection(model, fit, t, y, threshold, p, since, clock) : null;

    /// <summary>
    /// A fitted line's forecast: significant slope (t &gt; 3) toward the threshold, crossing by the delta method. With a
    /// damage <paramref name="clock"/> the line is in clock days: the crossing and the slope are turned into calendar days
    /// at the clock's rate now.
    /// </summary>
    private static Projection? LineProjection(PhysicsModel model, LineFit fit, double[] t, double[] y, double threshold, Dictionary<string, double> p, string since, DamageClock? clock = null)
    {
        if (fit.TStat <= MinTStat)
        {
            return null;
        }

        AddLine(p, fit);
        var band = CrossingBand.FromLine(fit, threshold, model.Direction);
        var slope = fit.B;
        var at = "";
        if (clock is not null)
        {
            band = band?.Scaled(1 / clock.Rate);
            slope *= clock.Rate;
            at = " " + clock.Describe();
        }

        var trend = Inv($"{model.Label} {(slope > 0 ? "rising" : "falling")} {Math.Abs(slope):G3} {model.Unit}/day{at}{since}");
        return Finish(model, band, t, y, threshold, slope, fit.A, fit.RSquared, fit.N, p, trend, "hourly points");
    }

    /// <summary>Records an onset or change point τ (days from now) in the parameters; the trend's " since … (<paramref name="what"/>)" clause.</summary>
    private static string Since(Dictionary<string, double> p, double tauDays, long nowMs, string what)
    {
        var tauMs = nowMs + (long)(tauDays * DayMs);
        p["tau_days"] = tauDays;
        p["tau_ms"] = tauMs;
        return Inv($" since {DateTimeOffset.FromUnixTimeMilliseconds(tauMs):yyyy-MM-dd HH:mm} ({what})");
    }

    private static Projection? ChangePointProjection(PhysicsModel model, double[] t, double[] y, double threshold, Dictionary<string, double> p, long nowMs)
    {
        var cp = ChangePointFit.Find(t, y, model.Direction, Math.Max(12, model.MinPoints / 2));
        if (cp is not { Accepted: true })
        {
            return LinearProjection(model, t, y, threshold, p, "");
        }

        var since = Since(p, cp.Tau, nowMs, "change point");
        p["slope_before"] = cp.Before.B;
        p["delta_bic"] = cp.DeltaBic;
        var postT = t[cp.Index..];
        var postY = y[cp.Index..];
        if (model.SaturationDays is { } ts && postT[^1] - postT[0] >= 2 * ts
            && SaturatingRateFit.Fit(postT, postY, cp.Tau, ts) is { } sat
            && sat.Bic < LineBic(postT, postY) - 2)
        {
            var band = sat.Crossing(threshold, model.Direction, 4 * model.HorizonDays);
            p["c"] = sat.C;
            p["b_initial"] = sat.InitialSlope;
            p["b_final"] = sat.FinalSlope;
            p["ts_days"] = ts;
            var slope = sat.SlopeAt(0);
            var trend = Inv($"{model.Label} {(slope > 0 ? "rising" : "falling")} {Math.Abs(slope):G3} {model.Unit}/day (toward {Math.Abs(sat.FinalSlope):G3}){since}");
            return Finish(model, band, postT, postY, threshold, slope, sat.ValueAt(0), sat.RSquared, sat.N, p, trend, "hourly points");
        }

        return LinearProjection(model, postT, postY, threshold, p, since);
    }

    /// <summary>
    /// The onset-linear law: a hinge from the baseline when it explains the window better than a free line (the onset
    /// inside the window), else the line (the onset before the window, or no baseline yet).
    /// </summary>
    private static Projection? OnsetLinearProjection(PhysicsModel model, double[] t, double[] y, double? baseline, double threshold, Dictionary<string, double> p, long nowMs, DamageClock? clock = null)
    {
        if (baseline is not { } phi
            || OnsetLinearFit.Fit(t, y, phi, Math.Max(12, model.MinPoints / 2), model.MinSpanDays) is not { Accepted: true } hinge)
        {
            return LinearProjection(model, t, y, threshold, p, "", clock);
        }

        p["phi"] = phi;
        var since = Since(p, clock?.ToCalendar(hinge.Tau) ?? hinge.Tau, nowMs, "onset");
        p["delta_bic"] = hinge.DeltaBic;
        return LineProjection(model, hinge.Line, t, y, threshold, p, since, clock);
    }

    private static Projection? ExponentialProjection(PhysicsModel model, double[] t, double[] y, double phi, double threshold, Dictionary<string, double> p, long nowMs)
    {
        if (threshold <= phi)
        {
            return null; // the device's own baseline is already at the threshold: nothing to forecast
        }

        var epsilon = 2 * NoiseScale(y);
        if (ExponentialFit.Fit(t, y, phi, epsilon, model.MinPoints) is not { } fit || fit.TStat <= MinTStat || fit.B <= 0)
        {
            return null;
        }

        var theta = Math.Exp(fit.A);
        p["phi"] = phi;
        p["theta"] = theta;
        p["beta"] = fit.B;
        p["se_beta"] = fit.SeB;
        p["ln_theta"] = fit.A;
        p["epsilon"] = epsilon;
        var band = CrossingBand.FromLine(fit, Math.Log(threshold - phi), ThresholdDirection.Above);
        var trend = Inv($"{model.Label} rising exponentially (doubling every {Math.Log(2) / fit.B:0.0} d), now {phi + theta:G3} {model.Unit}");
        return Finish(model, band, t, y, threshold, theta * fit.B, phi + theta, fit.RSquared, fit.N, p, trend, "hourly points");
    }

    private static Projection? OnsetExponentialProjection(PhysicsModel model, double[] t, double[] y, double phi, double threshold, Dictionary<string, double> p, long nowMs)
    {
        if (threshold <= phi)
        {
            return null; // the device's own baseline is already at the threshold: nothing to forecast
        }

        // the excess now must stand clear of the noise (as the exponential law's points must), and the slope now
        // must be significant after the serial-correlation inflation
        var epsilon = 2 * NoiseScale(y);
        if (OnsetExponentialFit.Fit(t, y, phi, Math.Max(12, model.MinPoints), model.MinDoublingDays) is not { } fit
            || fit.SlopeTStat <= MinTStat || fit.ExcessAt(0) <= epsilon)
        {
            return null;
        }

        p["phi"] = phi;
        var since = Since(p, fit.Tau, nowMs, "onset");
        p["beta"] = fit.Beta;
        p["se_beta"] = Math.Sqrt(fit.VarBeta);
        p["epsilon"] = epsilon;

        // Days after an onset the growth rate is not yet known (β/SE(β) ≤ 3, as for the exponential law's rate): the
        // early excess is then read as what it is, a line from the onset, which for accelerating wear errs late.
        if (!(fit.Beta / Math.Sqrt(fit.VarBeta) > MinTStat))
        {
            var from = Array.FindIndex(t, x => x >= fit.Tau);
            return from < 0 ? null : LinearProjection(model, t[from..], y[from..], threshold, p, since);
        }

        if (fit.Crossing(threshold - phi) is not { } band)
        {
            return null;
        }

        p["amplitude"] = fit.A;
        p["ln_amplitude"] = fit.LnA;
        p["sigma"] = fit.Sigma;
        var current = phi + fit.ExcessAt(0);
        var trend = Inv($"{model.Label} rising exponentially{since} (doubling every {Math.Log(2) / fit.Beta:0.0} d), now {current:G3} {model.Unit}");
        return Finish(model, band, t, y, threshold, fit.SlopeNow, current, fit.RSquared, fit.N, p, trend, "hourly points");
    }

    private static Projection? EvaluateRate(PhysicsModel model, DeviceHistory history, long nowMs, long windowFrom)
    {
        var dayMs = (long)DayMs;
        var to = nowMs - Mod(nowMs, dayMs);
        var from = windowFrom + Mod(dayMs - Mod(windowFrom, dayMs), dayMs);
        var days = (int)((to - from) / dayMs);
        if (days < model.MinPoints)
        {
            return null;
        }

        var counts = new double[days];
        foreach (var code in model.Codes)
        {
            var c = history.Events.DailyCounts(code, from, to);
            for (var i = 0; i < days && i < c.Length; i++)
            {
                counts[i] += c[i];
            }
        }

        var t = new double[days];
        for (var i = 0; i < days; i++)
        {
            t[i] = (from + i * dayMs + dayMs / 2.0 - nowMs) / DayMs;
        }

        if (PoissonRateFit.Fit(t, counts, model.MinPoints, MinRateEvents) is not { } fit || fit.TStat <= MinTStat || fit.B <= 0)
        {
            return null;
        }

        var lambda = Math.Exp(fit.A);
        var p = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["threshold"] = model.Threshold,
            ["lambda0"] = lambda,
            ["ln_lambda0"] = fit.A,
            ["kappa"] = fit.B,
            ["se_kappa"] = fit.SeB,
            ["se_ln_lambda0"] = Math.Sqrt(fit.VarA),
            ["dispersion"] = fit.Sigma * fit.Sigma,
            ["events"] = counts.Sum(),
        };
        var band = CrossingBand.FromLine(fit, Math.Log(model.Threshold), ThresholdDirection.Above);
        var trend = Inv($"{model.Label} at {lambda:0.##}/day, ×{Math.Exp(7 * fit.B):0.##} per week");
        return Finish(model, band, t, counts, model.Threshold, lambda * fit.B, lambda, fit.RSquared, days, p, trend, "days");
    }

    private static Projection? EvaluateWeibull(PhysicsModel model, DeviceHistory history, long nowMs, long windowFrom)
    {
        if (!TryLoad(model, history, nowMs, windowFrom, out var t, out var y, out _)
            || RobustLine.Fit(t, y, [], model.MinPoints) is not { } usage || usage.TStat <= MinTStat || usage.B <= 0)
        {
            return null;
        }

        var s = history.LastValue(model.Signal!) ?? y[^1];
        var rate = usage.B;
        double Days(double q) => WeibullLife.RemainingUsageQuantile(s, q, model.WeibullEta, model.WeibullBeta) / rate;
        var band = new CrossingBand(Days(0.1), Days(0.5), Days(0.9), 0);
        var confidence = 1 - WeibullLife.ConditionalSurvival(s, ConfidenceDays * rate, model.WeibullEta, model.WeibullBeta);
        var p = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["eta"] = model.WeibullEta,
            ["beta"] = model.WeibullBeta,
            ["usage"] = s,
            ["usage_per_day"] = rate,
            ["reliability"] = Math.Exp(-Math.Pow(s / model.WeibullEta, model.WeibullBeta)),
        };
        var trend = Inv($"{model.Label} at {s:G4} {model.Unit} used, {rate:G3} {model.Unit}/day (Weibull η {model.WeibullEta:G3}, β {model.WeibullBeta:0.##})");
        return new Projection(band, Math.Clamp(confidence, 0, 1), model.WeibullEta, rate, s, usage.RSquared, usage.N, p, trend, "failure", "hourly points");
    }

    /// <summary>
    /// Common end of the trend laws: heading away gives nothing; a crossing in the past counts only once it
    /// is observed (newest point past the threshold while earlier points in the window were not), and then
    /// P10 = P50 = P90 = now with confidence 1. A value past the threshold for the whole window is a standing
    /// failure, not a forecast: no evidence (the rules engine alarms on it).
    /// </summary>
    private static Projection? Finish(PhysicsModel model, CrossingBand? band, double[] t, double[] y, double threshold, double slope, double current, double r2, int n, Dictionary<string, double> p, string trend, string noun)
    {
        if (band is not { } b || !double.IsFinite(b.P50) || !double.IsFinite(b.Sd))
        {
            return null;
        }

        var target = Inv($"{threshold:G4} {model.Unit}");
        p["slope_per_day"] = slope;
        p["current"] = current;
        if (b.P50 > 0)
        {
            b = b.WithModelSpread(model.ModelSpread);
            return new Projection(b, b.ProbabilityWithin(ConfidenceDays), threshold, slope, current, r2, n, p, trend, target, noun);
        }

        var toward = CrossingBand.Toward(model.Direction);
        var newestPast = toward * (y[^1] - threshold) >= 0;
        var earlierHealthy = y.Any(v => toward * (v - threshold) < 0);
        if (!newestPast || !earlierHealthy)
        {
            return null;
        }

        return new Projection(new CrossingBand(0, 0, 0, 0), 1, threshold, slope, current, r2, n, p, trend, target, noun, Crossed: true);
    }

    /// <summary>Hourly means of the model's signal in the window, minus spikes; false when there is too little, stale or stuck data.</summary>
    private static bool TryLoad(PhysicsModel model, DeviceHistory history, long nowMs, long windowFrom, out double[] t, out double[] y, out int spikes)
    {
        t = y = [];
        spikes = 0;
        var series = model.Signal is null ? null : history.Hourly(model.Signal);
        if (series is null)
        {
            return false;
        }

        var points = series.Since(windowFrom);
        if (points.Count < model.MinPoints)
        {
            return false;
        }

        // A dropped channel: the newest hour is older than three sampling intervals (at least a day).
        var staleMs = Math.Max(DayMs, 3 * model.SampleSeconds * 1000);
        if (nowMs - (points[^1].StartMs + DeviceHistory.HourMs) > staleMs || IsStuck(points))
        {
            return false;
        }

        var raw = points.Select(p => p.Mean).ToArray();
        var (keep, flagged) = SpikeFilter.Flag(raw);
        spikes = flagged;
        var tl = new List<double>(points.Count);
        var yl = new List<double>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            if (keep[i])
            {
                tl.Add((points[i].StartMs + DeviceHistory.HourMs / 2.0 - nowMs) / DayMs);
                yl.Add(raw[i]);
            }
        }

        t = tl.ToArray();
        y = yl.ToArray();
        return t.Length >= model.MinPoints;
    }

    /// <summary>A stuck sensor (<see cref="StuckSignal"/>): the newest <see cref="StuckHours"/> multi-reading hours hold one value.</summary>
    private static bool IsStuck(List<SeriesPoint> points) => StuckSignal.NewestHoursStuck(points, StuckHours);

    private static double NoiseScale(double[] y)
    {
        if (y.Length < 3)
        {
            return 0;
        }

        var diffs = new List<double>(y.Length - 1);
        for (var i = 1; i < y.Length; i++)
        {
            diffs.Add(y[i] - y[i - 1]);
        }

        return RobustLine.RobustScale(diffs) / Math.Sqrt(2);
    }

    private static double LineBic(double[] t, double[] y) =>
        t.Length * Math.Log(Math.Max(Residuals.LineRss(t, y) / t.Length, 1e-300)) + 2 * Math.Log(t.Length);

    private static void AddLine(Dictionary<string, double> p, LineFit fit)
    {
        p["a"] = fit.A;
        p["b"] = fit.B;
        p["se_a"] = Math.Sqrt(fit.VarA);
        p["se_b"] = fit.SeB;
        p["cov_ab"] = fit.CovAB;
        p["sigma"] = fit.Sigma;
        p["dropped"] = fit.Dropped;
    }

    private static long Mod(long a, long b) => ((a % b) + b) % b;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
