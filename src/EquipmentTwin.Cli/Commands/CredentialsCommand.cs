using System.CommandLine;
using EquipmentTwin.Service.Security;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin credentials --fleet FILE --out DIR [--user NAME:ROLE]…</c>: MQTT password and ACL files, HTTP users, secrets.</summary>
public static class CredentialsCommand
{
    public sealed record Options(string Fleet, string Out, IReadOnlyList<(string Name, string Role)> Users);

    public static Command Create()
    {
        var fleet = SharedOptions.Fleet();
        fleet.Description = "fleet file (sites and devices)";
        var output = CliOptions.OutputPath("--out", "where to write (keep it outside the repository)", "DIR");
        output.Required = true;
        var users = new Option<string[]>("--user") { Description = "an HTTP user NAME:ROLE (viewer, engineer, admin); repeat", HelpName = "NAME:ROLE", AllowMultipleArgumentsPerToken = false };
        CliOptions.Check(users, values => values?.FirstOrDefault(v => v.Split(':', 2) is not [{ Length: > 0 }, { Length: > 0 }]) is { } bad ? $"--user '{bad}' is not NAME:ROLE" : null);
        var command = new Command("credentials", "Write MQTT and HTTP credentials for a fleet: Mosquitto passwd and acl, users.json, secrets.env (docs/operations.md).") { fleet, output, users };
        command.SetAction(p => Run(new Options(p.GetValue(fleet)!, p.GetValue(output)!,
            [.. (p.GetValue(users) ?? []).Select(u => u.Split(':', 2)).Select(parts => (parts[0], parts[1]))]), p.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(Options o, TextWriter output)
    {
        foreach (var file in CredentialsWriter.Write(new CredentialsRequest(o.Fleet, o.Out, o.Users)))
        {
            output.WriteLine(file);
        }

        return 0;
    }
}
