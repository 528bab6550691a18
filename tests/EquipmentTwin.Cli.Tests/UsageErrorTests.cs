using System.CommandLine;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

public sealed class UsageErrorTests
{
    private static readonly string Fleet = RepoPaths.Seeds("fleets", "demo.json");

    /// <summary>Every option that takes a number, given a word instead, on the command that declares it.</summary>
    public static TheoryData<string, string> NumericOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (path, option) in Options(TwinCli.CreateRoot(), ""))
        {
            var t = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            if (t == typeof(int) || t == typeof(double))
            {
                data.Add(path, option.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NumericOptions))]
    public async Task A_word_for_a_number_is_one_line_and_exit_2(string command, string option)
    {
        var (code, stdout, stderr) = await InProcess.TwinAsync([.. command.Split(' '), .. NeedsFleet(command), option, "twelve"]);
        AssertUsageError(code, stdout, stderr, option);
    }

    [Theory]
    [InlineData("simulate --seed -5", "--seed")]
    [InlineData("evaluate --seed -1", "--seed")]
    [InlineData("train --seed -5", "--seed")]
    [InlineData("simulate --days 0", "--days")]
    [InlineData("evaluate --days -3", "--days")]
    [InlineData("train --days 0", "--days")]
    [InlineData("evaluate --training-days 0", "--training-days")]
    [InlineData("simulate --acceleration 0", "--acceleration")]
    [InlineData("simulate --mqtt-port 0", "--mqtt-port")]
    [InlineData("simulate --mqtt-port 65536", "--mqtt-port")]
    [InlineData("simulate --parallelism 0", "--parallelism")]
    [InlineData("simulate --mode bogus", "bogus")]
    [InlineData("simulate --detail most", "most")]
    [InlineData("simulate --start yesterday", "--start")]
    [InlineData("simulate --faults /no/such/folder", "--faults")]
    [InlineData("simulate --catalog /no/such/folder", "--catalog")]
    [InlineData("simulate --bogus 1", "--bogus")]
    [InlineData("evaluate --models /no/such/folder", "--models")]
    [InlineData("evaluate --rules /no/such/folder", "--rules")]
    [InlineData("evaluate --physics /no/such/folder", "--physics")]
    [InlineData("serve --mqtt-port 0", "--mqtt-port")]
    [InlineData("serve --mqtt-port 70000", "--mqtt-port")]
    [InlineData("serve --http-port -1", "--http-port")]
    [InlineData("serve --http-bind localhost-ish", "--http-bind")]
    [InlineData("serve --mqtt-bind 999.1.1.1", "--mqtt-bind")]
    [InlineData("serve --store csv", "csv")]
    [InlineData("serve --mqtt-url http://127.0.0.1:1883", "--mqtt-url")]
    [InlineData("serve --influx-url ftp://db", "--influx-url")]
    [InlineData("serve --simulate /no/such/fleet.json", "--simulate")]
    [InlineData("serve --acceleration -2", "--acceleration")]
    [InlineData("serve --catalog /no/such/folder", "--catalog")]
    [InlineData("serve --htp-port 5080", "--htp-port")]
    [InlineData("serve --Section:Key", "--Section:Key")]
    [InlineData("serve stray", "stray")]
    [InlineData("bench ingest --clients 0", "--clients")]
    [InlineData("bench ingest --batches 0", "--batches")]
    [InlineData("bench ingest --records 10001", "--records")]
    [InlineData("bench ingest --inflight 0", "--inflight")]
    [InlineData("bench ingest --runs 0", "--runs")]
    [InlineData("bench ingest --influx-url http://127.0.0.1:8086", "--mqtt-url")]
    [InlineData("bench nothing", "nothing")]
    [InlineData("bench", "bench")]
    [InlineData("nonsense", "nonsense")]
    public async Task Invalid_value_is_one_line_naming_it_and_exit_2(string commandLine, string named)
    {
        var words = commandLine.Split(' ');
        var (code, stdout, stderr) = await InProcess.TwinAsync([.. words.Take(words[0] == "bench" ? 2 : 1), .. NeedsFleet(words[0]), .. words.Skip(words[0] == "bench" ? 2 : 1)]);
        AssertUsageError(code, stdout, stderr, named);
    }

    [Theory]
    [InlineData("run --mqtt-port 0", "--mqtt-port")]
    [InlineData("check --http-port 70000", "--http-port")]
    [InlineData("check --config /no/such/edge.json", "--config")]
    [InlineData("check --bogus", "--bogus")]
    [InlineData("run stray", "stray")]
    [InlineData("bench --lines 0", "--lines")]
    [InlineData("bench --lines many", "--lines")]
    [InlineData("nonsense", "nonsense")]
    public async Task Edge_invalid_value_is_one_line_and_exit_2(string commandLine, string named)
    {
        var (code, stdout, stderr) = await InProcess.EdgeAsync(commandLine.Split(' '));
        AssertUsageError(code, stdout, stderr, named);
    }

    [Fact]
    public void Serve_flags_set_the_same_configuration_keys_as_the_service_host()
    {
        foreach (var (flag, key) in TwinServiceHost.SwitchMappings)
        {
            Assert.True(ServeCommand.FlagKeys.TryGetValue(flag, out var mapped), $"twin serve lacks {flag}");
            Assert.Equal(key, mapped);
        }
    }

    [Fact]
    public void Serve_passes_section_key_settings_through_in_both_spellings()
    {
        var args = ServeCommand.PassThrough(["--Ingest:QueueCapacity", "10", "--Logging:LogLevel:Default=Warning"]);
        Assert.Equal(["--Ingest:QueueCapacity", "10", "--Logging:LogLevel:Default", "Warning"], args);
    }

    private static string[] NeedsFleet(string command) => command is "simulate" or "evaluate" or "train" ? ["--fleet", Fleet] : [];

    private static void AssertUsageError(int code, string stdout, string stderr, string named)
    {
        Assert.True(code == ExitCodes.Usage, $"exit {code}, stderr: {stderr}");
        Assert.Equal("", stdout);
        var lines = stderr.TrimEnd('\n', '\r').Split('\n');
        Assert.True(lines.Length == 1, "expected one line, got: " + stderr);
        Assert.Contains(named, lines[0], StringComparison.Ordinal);
    }

    private static IEnumerable<(string Path, Option Option)> Options(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            var path = (prefix + " " + sub.Name).Trim();
            foreach (var option in sub.Options)
            {
                yield return (path, option);
            }

            foreach (var deeper in Options(sub, path))
            {
                yield return deeper;
            }
        }
    }
}
