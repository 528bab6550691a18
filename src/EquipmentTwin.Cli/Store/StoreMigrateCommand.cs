using System.Diagnostics;
using EquipmentTwin.Storage.Sqlite;

namespace EquipmentTwin.Cli.Store;

/// <summary>Options of <c>twin store migrate</c>.</summary>
public sealed record StoreMigrateOptions(string DataDir);

/// <summary><c>twin store migrate</c>: moves readings from the row-per-reading layout into compressed chunks, in place.</summary>
public static class StoreMigrateCommand
{
    public const string Usage = """
          store migrate  move an older store's readings into compressed chunks (once, with the service stopped)
                       --data-dir DIR    the store to migrate (default ./data)
        """;

    public static StoreMigrateOptions Parse(string[] args)
    {
        CommandLineException.ThrowIfUnknown(args, ["--data-dir"]);
        var i = Array.IndexOf(args, "--data-dir");
        return new StoreMigrateOptions(i >= 0 && i + 1 < args.Length ? args[i + 1] : "data");
    }

    public static int Run(StoreMigrateOptions options)
    {
        var sw = Stopwatch.StartNew();
        var report = LayoutMigration.Run(options.DataDir, Console.WriteLine);
        Console.WriteLine($"migrated {report.Readings:N0} readings of {report.Series:N0} series into {report.Chunks:N0} chunks in {sw.Elapsed.TotalSeconds:0.0} s; " +
            $"{report.BytesBefore:N0} → {report.BytesAfter:N0} bytes");
        return 0;
    }
}
