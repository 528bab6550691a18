using EquipmentTwin.Service.Security;

namespace EquipmentTwin.Cli;

/// <summary><c>twin credentials --fleet FILE --out DIR [--user NAME:ROLE]…</c>: MQTT password and ACL files, HTTP users, secrets.</summary>
public static class CredentialsCommand
{
    public const string Usage = """
          credentials  write MQTT and HTTP credentials for a fleet (Mosquitto passwd + acl, users.json, secrets.env)
                       --fleet FILE      fleet file (sites and devices)
                       --out DIR         where to write (keep it outside the repository)
                       --user NAME:ROLE  an HTTP user (viewer, engineer, admin); repeat
        """;

    public sealed record Options(string Fleet, string Out, IReadOnlyList<(string Name, string Role)> Users);

    public static Options Parse(string[] args)
    {
        string? fleet = null, output = null;
        var users = new List<(string, string)>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new CommandLineException($"option '{args[i]}' needs a value");
            switch (args[i])
            {
                case "--fleet": fleet = value; break;
                case "--out": output = value; break;
                case "--user":
                    var parts = value.Split(':', 2);
                    users.Add(parts.Length == 2 ? (parts[0], parts[1]) : throw new CommandLineException($"--user '{value}' is not NAME:ROLE"));
                    break;
                default: throw new CommandLineException($"unknown option '{args[i]}'. Run 'twin help'.");
            }

            i++;
        }

        return new Options(fleet ?? throw new CommandLineException("credentials needs --fleet FILE"), output ?? throw new CommandLineException("credentials needs --out DIR"), users);
    }

    public static int Run(string[] args)
    {
        var o = Parse(args);
        foreach (var file in CredentialsWriter.Write(new CredentialsRequest(o.Fleet, o.Out, o.Users)))
        {
            Console.WriteLine(file);
        }

        return 0;
    }
}
