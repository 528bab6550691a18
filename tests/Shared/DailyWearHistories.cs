using System.Globalization;
using System.Text;

namespace EquipmentTwin.Testing;

/// <summary>
/// Daily run-to-failure histories of a CT gantry bearing, in the format <c>twin simulate --mode histories</c> writes
/// (<c>unit,time,&lt;signal&gt;,...</c>, time in days, one row per day up to the failure): vibration follows a known law,
/// v(t) = 0.8 + 3.7·(t/L)³ mm/s over a lifetime L of 40–120 days (a factor of three), with noise; the detector
/// temperature is an uninformative second column.
/// </summary>
public static class DailyWearHistories
{
    public const string Kind = "rul-ct-gantry_bearing";
    public const string Vibration = "gantry_vibration_mm_s";
    public const string Temperature = "detector_temp_c";

    public static double VibrationAt(double day, double life) => 0.8 + 3.7 * Math.Pow(Math.Clamp(day / life, 0, 1), 3);

    /// <summary>A training file of <paramref name="units"/> units, each to its failure.</summary>
    public static string Training(int units, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder($"unit,time,{Temperature},{Vibration}\n");
        for (var u = 0; u < units; u++)
        {
            var life = 40 + rng.Next(81);
            for (var t = 1; t <= life; t++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"bearing-{seed}-{u},{t},{36 + 0.2 * (rng.NextDouble() - 0.5):0.000},{VibrationAt(t, life) + 0.05 * (rng.NextDouble() - 0.5):0.0000}\n");
            }
        }

        return sb.ToString();
    }
}
