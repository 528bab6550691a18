using System.Net;
using System.Net.Sockets;

namespace EquipmentTwin.Cli.Bench;

/// <summary>What every bench shares: order statistics of its samples, a free loopback port, its scratch folder.</summary>
internal static class BenchSupport
{
    /// <summary>The median (upper middle for an even count).</summary>
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Nearest-rank percentile <paramref name="q"/> (0–1) of already sorted samples; NaN when there are none.</summary>
    public static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    /// <summary>
    /// The machine a bench ran on, beside its figures: cores, the 1-minute load average when the figures were taken
    /// (Linux /proc/loadavg; null elsewhere) and the OS. A figure taken at a load average above the core count had
    /// the machine shared: compare its ratio to the baseline of the same run, not its absolute value.
    /// </summary>
    public static object Host() => new
    {
        cores = Environment.ProcessorCount,
        loadAverage1m = LoadAverage(),
        os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
    };

    /// <summary>The 1-minute load average, or null where the OS does not give it.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            var first = text.Split(' ', 2)[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Removes a bench's scratch folder; a folder still held open is left behind and named on stderr.</summary>
    public static void DeleteScratch(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"bench: scratch folder {dir} left behind: {ex.Message}");
        }
    }
}
