using System.CommandLine;
using EquipmentTwin.Core.CommandLine;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin completion SHELL</c>: prints a tab-completion script for bash, zsh or PowerShell (docs/cli.md).</summary>
public static class CompletionCommand
{
    public static Command Create(string program)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh" };
        shell.AcceptOnlyFromAmong(ShellCompletion.Shells);
        var command = new Command("completion", $"Print a tab-completion script for your shell, e.g. source <({program} completion bash)") { shell };
        command.SetAction(p =>
        {
            p.InvocationConfiguration.Output.Write(ShellCompletion.Script(p.GetValue(shell)!, program));
            return ExitCodes.Ok;
        });
        return command;
    }
}
