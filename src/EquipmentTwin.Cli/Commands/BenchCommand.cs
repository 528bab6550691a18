using System.CommandLine;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench</c>: the group of benchmarks; each is a sub-command in a file of its own (Bench*Command.cs).</summary>
public static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the system on this machine (docs/performance.md). Results go to stdout, progress to stderr.")
    {
        BenchIngestCommand.Create(),
        BenchStoreCommand.Create(),
        BenchCodecCommand.Create(),
        BenchAnalyticsCommand.Create(),
        BenchMemoryCommand.Create(),
        BenchLatencyCommand.Create(),
    };
}
