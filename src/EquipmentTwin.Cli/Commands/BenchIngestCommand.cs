using System.CommandLine;
using EquipmentTwin.Cli.Bench;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench ingest</c>: ingest throughput through the real broker and store.</summary>
public static class BenchIngestCommand
{
    public static Command Create()
    {
        var clients = CliOptions.Int("--clients", "MQTT clients publishing at once", 8, 1, 1000);
        var batches = CliOptions.Int("--batches", "batches each client publishes", 250, 1, 10_000_000);
        var records = CliOptions.Int("--records", "records per batch (the wire allows 10000)", 500, 1, 10_000);
        var inflight = CliOptions.Int("--inflight", "unacknowledged publishes per client", 16, 1, 65535);
        var runs = CliOptions.Int("--runs", "runs; the median is reported", 3, 1, 100);
        var warmup = CliOptions.Int("--warmup", "runs before the measured ones, not counted (JIT tiers, thread pool; after one the runs still speed up, after three they hold steady)", 3, 0, 100);
        var plot = new Option<string?>("--plot") { Description = "also sweep publishers (1-16) and batch size (50-2,000), one run per point, and draw both as PNG plots into DIR", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "print one JSON object on stdout instead of the text lines" };
        var influxUrl = new Option<string?>("--influx-url") { Description = "also measure the production shape in the same run: the service storing into this InfluxDB (a fresh database per run), with --mqtt-url", HelpName = "URL" };
        var mqttUrl = new Option<string?>("--mqtt-url") { Description = "external broker (mqtt://host:port) the production-shape runs publish through, with --influx-url", HelpName = "URL" };
        var command = new Command("ingest", "Measure ingest throughput: the real service in-process on loopback (embedded broker, SQLite in a temp folder), K clients publishing at QoS 1, with raw SQLite append baselines measured in the same run.")
        {
            clients, batches, records, inflight, runs, warmup, plot, json, influxUrl, mqttUrl,
        };
        command.SetAction(p =>
        {
            if ((p.GetValue(influxUrl) is null) != (p.GetValue(mqttUrl) is null))
            {
                throw new CommandLineException("--influx-url and --mqtt-url go together");
            }

            return IngestBench.RunAsync(new IngestBenchOptions(p.GetValue(clients), p.GetValue(batches), p.GetValue(records), p.GetValue(runs), p.GetValue(inflight), p.GetValue(json), p.GetValue(warmup), p.GetValue(influxUrl), p.GetValue(mqttUrl), p.GetValue(plot)), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error);
        });
        return command;
    }
}
