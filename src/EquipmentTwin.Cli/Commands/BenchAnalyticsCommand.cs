using System.CommandLine;
using EquipmentTwin.Cli.Bench;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench analytics</c>: device-years per minute through every engine, beside the simulator alone.</summary>
public static class BenchAnalyticsCommand
{
    public static Command Create()
    {
        var fleet = CliOptions.ExistingFile("--fleet", "fleet file (default seeds/fleets/reference.json beside the program)");
        var modality = CliOptions.Text("--modality", "modality of the devices taken from the fleet", "mri", "NAME", "mri", "ct", "xray");
        var devices = CliOptions.Int("--devices", "how many devices of that modality (the first ones in the file)", 1, 1, 10_000);
        var days = SharedOptions.Days("default 365: a device-year");
        var seed = SharedOptions.Seed();
        var models = CliOptions.ExistingDirectory("--models", "anomaly models to use (default: train them on a short healthy run, see --training-days)");
        var trainingDays = CliOptions.Positive("--training-days", "days of the healthy run the anomaly models are trained on without --models (default 7)", "N");
        var rules = CliOptions.ExistingDirectory("--rules", "knowledge rules folder (default config/rules beside the program)");
        var physics = CliOptions.ExistingDirectory("--physics", "physics models folder (default config/physics beside the program)");
        var json = new Option<bool>("--json") { Description = "print one JSON object on stdout instead of the text lines" };
        var command = new Command("analytics", "Measure records/s and device-years per minute through every engine (rules, physics, anomaly, fusion) at full detail and at 5-minute detail, beside the simulator alone producing the same records in the same run.")
        {
            fleet, modality, devices, days, seed, models, trainingDays, rules, physics, json,
        };
        command.SetAction(p =>
        {
            ModalityNames.TryParse(p.GetValue(modality), out var m);
            var o = new AnalyticsBenchOptions(
                p.GetValue(fleet) ?? FleetFiles.BesideProgram("seeds", "fleets", "reference.json"),
                m,
                p.GetValue(devices),
                p.GetValue(days) ?? 365,
                p.GetValue(seed),
                p.GetValue(models),
                p.GetValue(trainingDays) ?? 7,
                p.GetValue(rules) ?? FleetFiles.BesideProgram("config", "rules"),
                p.GetValue(physics) ?? FleetFiles.BesideProgram("config", "physics"),
                p.GetValue(json));
            return AnalyticsBench.Run(o, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error);
        });
        return command;
    }
}
