using System.CommandLine;
using System.Diagnostics;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Storage.Sqlite;

namespace EquipmentTwin.Cli.Commands;

/// <summary>Options of <c>twin store migrate</c>.</summary>
public sealed record StoreMigrateOptions(string DataDir);

/// <summary><c>twin store migrate</c>: moves readings from the row-per-reading layout into compressed chunks, in place.</summary>
public static class StoreMigrateCommand
{
    public static Command Create()
    {
        var dataDir = CliOptions.ExistingDirectory("--data-dir", "the store to migrate (default ./data)");
        var migrate = new Command("migrate", "Move an older store's readings into compressed chunks, in place (once, with the service stopped).") { dataDir };
        migrate.SetAction(p => Run(new StoreMigrateOptions(p.GetValue(dataDir) ?? "data")));
        return new Command("store", "Maintain the embedded store.") { migrate };
    }

    public static int Run(StoreMigrateOptions options)
    {
        var sw = Stopwatch.StartNew();
        MigrationReport report;
        using (var progress = ConsoleProgress.Start("twin store migrate"))
        {
            report = LayoutMigration.Run(options.DataDir, progress);
        }

        Console.WriteLine($"migrated {report.Readings:N0} readings of {report.Series:N0} series into {report.Chunks:N0} chunks in {sw.Elapsed.TotalSeconds:0.0} s; " +
            $"{report.BytesBefore:N0} → {report.BytesAfter:N0} bytes");
        return 0;
    }
}
