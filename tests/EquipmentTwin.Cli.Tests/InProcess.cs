using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Edge.Commands;

namespace EquipmentTwin.Cli.Tests;

/// <summary>The parsers invoked in-process with captured output: fast, for help and usage errors.</summary>
public static class InProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> TwinAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TwinCli.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> EdgeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await EdgeCli.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
