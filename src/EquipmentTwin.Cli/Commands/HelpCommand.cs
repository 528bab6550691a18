using System.CommandLine;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>help [command...]</c>: the same as <c>command --help</c>, for those who type it the other way round.</summary>
public static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var words = new Argument<string[]>("command") { Description = "the command to explain, e.g. bench ingest", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("help", "Show help for a command (the same as COMMAND --help)") { words };
        command.SetAction(p => root.Parse([.. p.GetValue(words) ?? [], "--help"]).Invoke(p.InvocationConfiguration));
        return command;
    }
}
