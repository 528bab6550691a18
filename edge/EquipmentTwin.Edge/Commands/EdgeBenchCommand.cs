using System.CommandLine;
using EquipmentTwin.Edge.Bench;

namespace EquipmentTwin.Edge.Commands;

/// <summary><c>twin-edge bench</c>: lines/s parsed and published by the real agent against an in-process broker.</summary>
public static class EdgeBenchCommand
{
    public static Command Create()
    {
        var lines = new Option<int>("--lines") { Description = "MRI pipe lines to write and send", DefaultValueFactory = _ => 200_000, HelpName = "N" };
        lines.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, out var v) && v < 1)
            {
                r.AddError($"--lines {v} must be at least 1");
            }
        });
        var keep = new Option<bool>("--keep") { Description = "keep the temporary folder (log, journal) for inspection" };
        var verbose = new Option<bool>("--verbose") { Description = "log the agent at debug level" };
        var command = new Command("bench", "Measure lines/s parsed (read, parsed, journaled with fsync) and published (acknowledged by an in-process broker on loopback).") { lines, keep, verbose };
        command.SetAction(p => EdgeBench.RunAsync(p.GetValue(lines), p.GetValue(keep), p.GetValue(verbose)));
        return command;
    }
}
