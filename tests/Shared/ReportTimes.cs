using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Testing;

/// <summary>Times for hand-written backtest reports: day offsets from 2026-01-01 as the reports write them (RFC 3339, ms).</summary>
public static class ReportTimes
{
    public const long DayMs = 86_400_000;

    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Epoch ms <paramref name="days"/> after <see cref="T0"/>.</summary>
    public static long Ms(double days) => T0.ToUnixTimeMilliseconds() + (long)(days * DayMs);

    /// <summary><see cref="Ms"/> as a report's timestamp.</summary>
    public static string At(double days) => WireCodec.FormatRfc3339(Ms(days));
}
