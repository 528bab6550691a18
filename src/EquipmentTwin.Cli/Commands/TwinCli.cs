using System.CommandLine;

namespace EquipmentTwin.Cli.Commands;

/// <summary>
/// The <c>twin</c> command tree. To add a command: a file <c>Commands/XCommand.cs</c> with a settings record and a
/// static class whose <c>Create()</c> declares typed options (<see cref="CliOptions"/>, <see cref="SharedOptions"/>)
/// and sets an action that builds the record and calls <c>Run</c>/<c>RunAsync</c>; then one line below.
/// Sub-command groups (bench, models, labels, store) add their children in their own <c>Create()</c>.
/// </summary>
public static class TwinCli
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("twin: EquipmentTwin, a digital twin of imaging equipment for predictive maintenance. See README.md and docs/.")
        {
            ServeCommand.Create(),
            SimulateCommand.Create(),
            EvaluateCommand.Create(),
            TrainCommand.Create(),
            CalibrateBandsCommand.Create(),
            PoolReportsCommand.Create(),
            RulCommand.Create(),
            ModelsCommand.Create(),
            LabelsCommand.Create(),
            BenchCommand.Create(),
            StoreMigrateCommand.Create(),
            CredentialsCommand.Create(),
            CompletionCommand.Create("twin"),
        };
        root.Subcommands.Add(HelpCommand.Create(root));
        CommandLineRunner.Prepare(root);
        return root;
    }

    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default) =>
        CommandLineRunner.InvokeAsync(CreateRoot(), "twin", args, output, error, cancellationToken);
}
