using System.CommandLine;
using System.Globalization;
using EquipmentTwin.Edge.Hosting;
using EquipmentTwin.Edge.Parsing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Edge.Commands;

/// <summary>
/// <c>twin-edge check</c>: validates the configuration and reads the vendor files it points at through their parsers,
/// without connecting, publishing or writing anything (no journal, no data folder).
/// </summary>
public static class CheckCommand
{
    /// <summary>Lines read from each file: enough to tell a wrong format from a right one without reading gigabytes.</summary>
    public const int SampleLines = 10_000;

    public static Command Create()
    {
        var options = new AgentOptions();
        var command = new Command("check", $"Validate the configuration and parse the first {SampleLines:N0} lines of every vendor file it points at; connects to nothing and writes nothing. Exit 1 when a setting is invalid, a file is missing, or a file yields no record.");
        options.AddTo(command);
        command.SetAction(p => Run(options.ToHostArgs(p), p.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(string[] hostArgs, TextWriter output)
    {
        using var host = EdgeHost.Build(hostArgs);
        // Reading the settings validates them (OptionsValidationException lists every problem); nothing is started.
        var s = host.Services.GetRequiredService<IOptions<EdgeSettings>>().Value;
        output.WriteLine($"configuration valid: source {s.Edge.Source}, site {s.Edge.Site}, {s.Devices.Count} device(s)");
        output.WriteLine($"  would publish to mqtt{(s.Mqtt.Tls ? "s" : "")}://{s.Mqtt.Host}:{s.Mqtt.Port} (not contacted), journal in {s.DataDir} (not created)");
        var problems = 0;
        foreach (var d in s.Devices)
        {
            var parser = VendorParsers.For(d.Format);
            var files = d.Tail is { } tail ? [tail]
                : d.Directory is { } dir ? Directory.EnumerateFiles(dir, d.Pattern).Order(StringComparer.Ordinal).ToList()
                : new List<string>();
            if (files.Count == 0)
            {
                var where = d.Tail is null && d.Directory is null ? "fed by syslog" : $"no file matches {Path.Combine(d.Directory ?? "", d.Pattern)}";
                output.WriteLine($"  {d.Id} ({d.Format}): {where}");
                continue;
            }

            foreach (var file in files)
            {
                if (!File.Exists(file))
                {
                    output.WriteLine($"  {d.Id} ({d.Format}): {file}: MISSING");
                    problems++;
                    continue;
                }

                var (lines, records, rejected, firstReason) = Sample(file, parser);
                var verdict = lines > 0 && records == 0 ? "NO RECORD: is the format right?" : rejected > 0 ? $"first rejection: {firstReason}" : "ok";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {d.Id} ({d.Format}): {file}: {lines:N0} lines read, {records:N0} records, {rejected:N0} rejected; {verdict}"));
                problems += lines > 0 && records == 0 ? 1 : 0;
            }
        }

        output.WriteLine(problems == 0 ? "check passed" : $"check failed: {problems} problem(s)");
        return problems == 0 ? 0 : 1;
    }

    private static (int Lines, int Records, int Rejected, string? FirstReason) Sample(string file, IVendorLogParser parser)
    {
        int lines = 0, records = 0, rejected = 0;
        string? first = null;
        using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        while (lines < SampleLines && reader.ReadLine() is { } line)
        {
            lines++;
            var parse = parser.Parse(line);
            switch (parse.Kind)
            {
                case LineParseKind.Record:
                    records++;
                    break;
                case LineParseKind.Rejected:
                    rejected++;
                    first ??= parse.Reason;
                    break;
            }
        }

        return (lines, records, rejected, first);
    }
}
