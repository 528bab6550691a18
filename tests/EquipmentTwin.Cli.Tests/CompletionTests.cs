using System.Diagnostics;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary>Shell completion: the scripts ask the program through System.CommandLine's [suggest] directive.</summary>
public sealed class CompletionTests
{
    [Theory]
    [InlineData("twin se", "serve")]
    [InlineData("twin bench i", "ingest")]
    [InlineData("twin simulate --mode f", "files")]
    [InlineData("twin evaluate --rep", "--report")]
    public async Task Suggest_directive_completes_commands_options_and_values(string line, string expected)
    {
        var (code, stdout, stderr) = await InProcess.TwinAsync($"[suggest:{line.Length}]", line);
        Assert.True(code == 0, stderr);
        Assert.Contains(expected, stdout.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("pwsh")]
    public async Task Completion_prints_a_script_for_each_shell_for_both_programs(string shell)
    {
        var twin = await InProcess.TwinAsync("completion", shell);
        var edge = await InProcess.EdgeAsync("completion", shell);
        Assert.Equal(0, twin.ExitCode);
        Assert.Equal(0, edge.ExitCode);
        Assert.Contains("\"[suggest:", twin.Stdout, StringComparison.Ordinal);
        Assert.Contains("twin ", twin.Stdout, StringComparison.Ordinal);
        Assert.Contains("twin-edge ", edge.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("twin ", edge.Stdout.Replace("twin-edge", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_of_an_unknown_shell_is_a_usage_error()
    {
        var (code, _, stderr) = await InProcess.TwinAsync("completion", "fish");
        Assert.Equal(2, code);
        Assert.Contains("fish", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bash_completes_twin_through_the_generated_script()
    {
        using var dir = new TempDirectory("twin-completion");
        var script = (await InProcess.TwinAsync("completion", "bash")).Stdout;
        File.WriteAllText(Path.Combine(dir.Path, "twin.bash"), script);

        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        psi.ArgumentList.Add("-c");
        // 'twin' as a shell function stands for the installed program.
        psi.ArgumentList.Add($"twin() {{ dotnet '{CliProcess.Twin}' \"$@\"; }}; " + "source ./twin.bash; COMP_LINE='twin bench '; COMP_POINT=${#COMP_LINE}; _twin_complete; printf '%s\\n' \"${COMPREPLY[@]}\"");
        using var bash = Process.Start(psi)!;
        var stdout = await bash.StandardOutput.ReadToEndAsync();
        var stderr = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.True(bash.ExitCode == 0, stderr);
        var words = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("ingest", words);
        Assert.Contains("--help", words);
    }
}
