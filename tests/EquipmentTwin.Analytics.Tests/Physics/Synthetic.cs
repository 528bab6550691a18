using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

/// <summary>Seeded synthetic device data from known laws, and a device driven through the physics engine.</summary>
internal static class Synthetic
{
    public const long HourMs = 3_600_000;
    public const long DayMs = 86_400_000;
    public static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    public static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    public static readonly string ConfigDirectory = Path.Combine(RepoPaths.Root, "config", "physics");
    public static readonly PhysicsConfig Shipped = PhysicsConfigLoader.LoadDirectory(ConfigDirectory, Catalog);

    public static long Day(double days) => T0 + (long)(days * DayMs);

    /// <summary>The midpoints of the <paramref name="days"/>·24 hours up to now, in days (0 = now, ascending): a fit window's times.</summary>
    public static double[] HourlyTimes(int days) => Enumerable.Range(0, days * 24).Select(i => -(days * 24 - i - 0.5) / 24.0).ToArray();

    /// <summary>Readings of <paramref name="signal"/> every 3600/<paramref name="perHour"/> s over [fromDays, toDays), value = law(day) + N(0, noise).</summary>
    public static IEnumerable<LogRecord> Signal(string signal, double fromDays, double toDays, int perHour, Func<double, double> law, double noise, Random rng)
    {
        var step = HourMs / perHour;
        for (var ts = Day(fromDays); ts < Day(toDays); ts += step)
        {
            var d = (ts - T0) / (double)DayMs;
            yield return LogRecord.Param(ts, signal, law(d) + (noise > 0 ? Normal.Sample(rng, 0, noise) : 0));
        }
    }

    /// <summary>Events of <paramref name="code"/> from a Poisson process with rate <paramref name="perDay"/>(day), spread over each day.</summary>
    public static IEnumerable<LogRecord> Events(string code, int fromDay, int toDay, Func<double, double> perDay, Random rng)
    {
        for (var d = fromDay; d < toDay; d++)
        {
            var n = Poisson.Sample(rng, perDay(d + 0.5));
            for (var k = 0; k < n; k++)
            {
                yield return LogRecord.Event(Day(d) + (long)((k + 0.5) / n * DayMs), code, Severity.Error, null);
            }
        }
    }

    public static PhysicsModel Model(string id, Modality modality) => Shipped.For(modality).Single(m => m.Id == id);

    public static PhysicsConfig Config(Modality modality, params PhysicsModel[] models) =>
        new(new Dictionary<Modality, IReadOnlyList<PhysicsModel>> { [modality] = models });

    public static DeviceAnalytics Device(Modality modality, PhysicsConfig config) =>
        new(new DeviceContext("dev01", "site", modality, Catalog[modality]), [new PhysicsEngine(config)]);

    /// <summary>Feeds the records in event-time order and moves the clock to <paramref name="endDays"/>.</summary>
    public static DeviceAnalytics Run(DeviceAnalytics device, IEnumerable<LogRecord> records, double endDays)
    {
        device.Process(records.OrderBy(r => r.TimestampMs).ToList());
        device.AdvanceTo(Day(endDays));
        return device;
    }

    public static Evidence? Find(DeviceAnalytics device, string modelId) => device.Evidence().SingleOrDefault(e => e.Source == modelId);

    /// <summary>Days from when the forecast was computed to <paramref name="ms"/>.</summary>
    public static double DaysAhead(Forecast forecast, long ms) => (ms - forecast.ComputedAtMs) / (double)DayMs;

    /// <summary>The fit's own crossing time (days ahead), before a calibrated quantile table moved the published P50.</summary>
    public static double FitP50(Forecast forecast) =>
        forecast.Parameters.TryGetValue("fit_p50_days", out var days) ? days : DaysAhead(forecast, forecast.P50Ms);
}
