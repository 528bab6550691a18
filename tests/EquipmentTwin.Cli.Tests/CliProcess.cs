using System.Diagnostics;

namespace EquipmentTwin.Cli.Tests;

/// <summary>Runs <c>twin</c> or <c>twin-edge</c> as a real process in a chosen folder, stdout and stderr kept apart.</summary>
public static class CliProcess
{
    public static string Twin => Path.Combine(AppContext.BaseDirectory, "twin.dll");

    public static string TwinEdge => Path.Combine(AppContext.BaseDirectory, "twin-edge.dll");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string dll, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
