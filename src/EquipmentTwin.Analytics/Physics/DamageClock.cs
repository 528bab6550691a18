using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// A model's Arrhenius damage clock (domain notes §5.2): wear advances by AF·Δt, AF = exp[(Ea/k)(1/T_ref − 1/T)] with T
/// the part's temperature (<paramref name="Signal"/>, °C). A battery fades linearly in this clock, not in calendar time, and
/// a weakening cell runs warmer, so its fade speeds up: a line in calendar days reads the average rate, not today's.
/// </summary>
/// <param name="Signal">The temperature signal (hourly means, °C).</param>
/// <param name="ActivationEnergyEv">Ea in eV.</param>
/// <param name="ReferenceTempC">T_ref in °C: AF = 1 there.</param>
public sealed record ArrheniusClock(string Signal, double ActivationEnergyEv, double ReferenceTempC)
{
    /// <summary>Boltzmann's constant in eV/K.</summary>
    public const double BoltzmannEv = 8.617e-5;

    /// <summary>Days over which today's rate of the clock is read: one day holds a day's cycle of use and charging.</summary>
    public const double RateDays = 1;

    /// <summary>The acceleration factor at <paramref name="tempC"/>.</summary>
    public double Factor(double tempC) =>
        Math.Exp(ActivationEnergyEv / BoltzmannEv * (1 / (ReferenceTempC + 273.15) - 1 / (tempC + 273.15)));
}

/// <summary>
/// One evaluation's damage clock: clock days (reference-temperature days) against calendar days, both counted from now
/// (0 = now, negative before). Each hour of the window advances the clock by AF of that hour's mean temperature; an hour
/// without a reading keeps the hour before's AF. The future runs at <see cref="Rate"/>, the mean AF of the last
/// <see cref="ArrheniusClock.RateDays"/> days with readings: the clock assumes today's temperature holds, so a part that
/// keeps warming still fails a little before the forecast says.
/// </summary>
internal sealed class DamageClock
{
    private const double DayMs = PhysicsModelEvaluator.DayMs;
    private readonly long _startMs;
    private readonly long _nowMs;
    private readonly double[] _factor;   // AF of each hour from _startMs
    private readonly double[] _before;   // clock days from _startMs to the start of each hour (one more entry: the end)

    private DamageClock(ArrheniusClock law, long startMs, long nowMs, double[] factor, double rate, double tempC)
    {
        Law = law;
        _startMs = startMs;
        _nowMs = nowMs;
        _factor = factor;
        _before = new double[factor.Length + 1];
        for (var i = 0; i < factor.Length; i++)
        {
            _before[i + 1] = _before[i] + factor[i] / 24;
        }

        Rate = rate;
        TempC = tempC;
    }

    /// <summary>Clock days per calendar day from now on.</summary>
    public double Rate { get; }

    /// <summary>The mean temperature behind <see cref="Rate"/>.</summary>
    public double TempC { get; }

    /// <summary>The model's clock this evaluation runs.</summary>
    public ArrheniusClock Law { get; }

    /// <summary>How the trend names the clock: the temperature now and how much faster than at T_ref the part wears.</summary>
    public string Describe() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"at {TempC:0.0} °C (wear ×{Rate:0.00} of {Law.ReferenceTempC:0.#} °C)");

    /// <summary>The clock of the window from <paramref name="windowFrom"/> to <paramref name="nowMs"/>; null when the temperature has no reading in it.</summary>
    public static DamageClock? From(ArrheniusClock clock, DeviceHistory history, long windowFrom, long nowMs)
    {
        var points = history.Hourly(clock.Signal)?.Since(windowFrom).Where(p => double.IsFinite(p.Mean)).ToList();
        if (points is not { Count: > 0 })
        {
            return null;
        }

        // hourly points start on the hour: the clock's hours run from the first reading (before it, at its AF) to now
        var start = points[0].StartMs;
        var hours = (int)Math.Max(1, (nowMs - start + DeviceHistory.HourMs - 1) / DeviceHistory.HourMs);
        var factor = new double[hours];
        var next = 0;
        var last = clock.Factor(points[0].Mean);
        for (var i = 0; i < hours; i++)
        {
            if (next < points.Count && points[next].StartMs == start + i * DeviceHistory.HourMs)
            {
                last = clock.Factor(points[next++].Mean);
            }

            factor[i] = last;
        }

        var recentFrom = nowMs - (long)(ArrheniusClock.RateDays * DayMs);
        var recent = points.Where(p => p.StartMs >= recentFrom).ToList();
        var used = recent.Count > 0 ? recent : [points[^1]];
        var rate = used.Average(p => clock.Factor(p.Mean));
        return new DamageClock(clock, start, nowMs, factor, rate, used.Average(p => p.Mean));
    }

    /// <summary>Clock days from now at <paramref name="days"/> calendar days from now.</summary>
    public double ToClock(double days) => Elapsed(_nowMs + days * DayMs) - Elapsed(_nowMs);

    /// <summary>Calendar days from now at <paramref name="clockDays"/> clock days from now (the inverse of <see cref="ToClock"/>).</summary>
    public double ToCalendar(double clockDays)
    {
        if (clockDays >= 0)
        {
            return clockDays / Rate;
        }

        // the clock is piecewise linear in time: find the hour it reaches the target in, then the time within it
        var target = Elapsed(_nowMs) + clockDays;
        double ms;
        if (target <= 0)
        {
            ms = _startMs + target / _factor[0] * DayMs;
        }
        else
        {
            var i = Array.BinarySearch(_before, target);
            i = i >= 0 ? Math.Min(i, _factor.Length - 1) : ~i - 1;
            ms = _startMs + i * (double)DeviceHistory.HourMs + (target - _before[i]) / _factor[i] * DayMs;
        }

        return (ms - _nowMs) / DayMs;
    }

    /// <summary>Clock days from the window's first hour to <paramref name="ms"/>: before it at the first hour's AF, after now at <see cref="Rate"/>.</summary>
    private double Elapsed(double ms)
    {
        if (ms <= _startMs)
        {
            return (ms - _startMs) / DayMs * _factor[0];
        }

        var i = (int)Math.Floor((ms - _startMs) / DeviceHistory.HourMs);
        if (i >= _factor.Length)
        {
            var end = _startMs + _factor.Length * DeviceHistory.HourMs;
            return _before[^1] + (ms - end) / DayMs * Rate;
        }

        return _before[i] + (ms - _startMs - i * (double)DeviceHistory.HourMs) / DayMs * _factor[i];
    }
}
