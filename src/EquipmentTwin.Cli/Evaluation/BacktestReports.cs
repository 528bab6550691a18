using System.Text.Json;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Evaluation;

/// <summary>Reads backtest reports (<c>twin evaluate --json</c>) named on a command line.</summary>
public static class BacktestReports
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The reports of comma-separated <paramref name="paths"/>. A missing file is a usage error naming
    /// <paramref name="option"/>; a file that is not a report fails naming the file and what is wrong with it.
    /// </summary>
    public static List<BacktestReport> Read(string paths, string option)
    {
        var reports = new List<BacktestReport>();
        foreach (var path in paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!File.Exists(path))
            {
                throw new CommandLineException($"{option}: no file '{path}'");
            }

            BacktestReport? report;
            try
            {
                report = JsonSerializer.Deserialize<BacktestReport>(File.ReadAllText(path), Json);
            }
            catch (JsonException ex)
            {
                throw new FailureException($"{option}: '{path}' is not a backtest report (twin evaluate --json): {ex.Message}");
            }

            if (report is null || report.Engines is null || report.Faults is null)
            {
                throw new FailureException($"{option}: '{path}' is not a backtest report (twin evaluate --json): it has no engines or faults");
            }

            reports.Add(report);
        }

        if (reports.Count == 0)
        {
            throw new CommandLineException($"{option}: no report named");
        }

        return reports;
    }
}
