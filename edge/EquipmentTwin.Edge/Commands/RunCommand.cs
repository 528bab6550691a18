using System.CommandLine;
using EquipmentTwin.Edge.Hosting;
using Microsoft.Extensions.Hosting;

namespace EquipmentTwin.Edge.Commands;

/// <summary><c>twin-edge run</c>: the agent, until stopped.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var options = new AgentOptions();
        var command = new Command("run", "Run the agent until stopped (Ctrl+C or SIGTERM): tail the configured vendor logs, journal them under the data folder, publish them over MQTT.");
        options.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            using var host = EdgeHost.Build(options.ToHostArgs(p));
            await host.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
