using System.CommandLine;
using EquipmentTwin.Core.CommandLine;

namespace EquipmentTwin.Edge.Commands;

/// <summary><c>twin-edge completion SHELL</c>: prints a tab-completion script for bash, zsh or PowerShell (docs/cli.md).</summary>
public static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh" };
        shell.AcceptOnlyFromAmong(ShellCompletion.Shells);
        var command = new Command("completion", "Print a tab-completion script for your shell, e.g. source <(twin-edge completion bash)") { shell };
        command.SetAction(p =>
        {
            p.InvocationConfiguration.Output.Write(ShellCompletion.Script(p.GetValue(shell)!, "twin-edge"));
            return 0;
        });
        return command;
    }
}
