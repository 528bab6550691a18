using System.Net;
using System.Net.Sockets;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin serve</c> as a real process: a port in use or an unusable data folder stops it with one line and exit 1.</summary>
public sealed class ServeStartupTests
{
    [Fact]
    public async Task Serve_on_an_http_port_in_use_exits_1_with_one_line_naming_the_port_and_no_stack_trace()
    {
        using var dir = new TempDirectory("cli-serve");
        using var held = new TcpListener(IPAddress.Loopback, 0);
        held.Start();
        var port = ((IPEndPoint)held.LocalEndpoint).Port;
        var (code, stdout, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromSeconds(60),
            "serve", "--http-port", port.ToString(), "--mqtt-port", TestPorts.Free().ToString(), "--data-dir", Path.Combine(dir.Path, "data"));
        Assert.True(code == 1, $"exit {code}: {stdout} {stderr}");
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains($"Http:Port {port}", line, StringComparison.Ordinal);
        Assert.Contains("--http-port", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at ", stdout + stderr);
    }

    [Fact]
    public async Task Serve_on_an_mqtt_port_in_use_names_the_mqtt_port()
    {
        using var dir = new TempDirectory("cli-serve");
        using var held = new TcpListener(IPAddress.Loopback, 0);
        held.Start();
        var port = ((IPEndPoint)held.LocalEndpoint).Port;
        var (code, _, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromSeconds(60),
            "serve", "--http-port", TestPorts.Free().ToString(), "--mqtt-port", port.ToString(), "--data-dir", Path.Combine(dir.Path, "data"));
        Assert.Equal(1, code);
        Assert.Contains($"Mqtt:Port {port}", Assert.Single(stderr.TrimEnd().Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_a_data_folder_that_cannot_be_made_names_the_setting()
    {
        using var dir = new TempDirectory("cli-serve");
        var file = Path.Combine(dir.Path, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        var (code, _, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromSeconds(60),
            "serve", "--http-port", TestPorts.Free().ToString(), "--mqtt-port", TestPorts.Free().ToString(), "--data-dir", Path.Combine(file, "data"));
        Assert.Equal(1, code);
        Assert.Contains("Store:DataDir", Assert.Single(stderr.TrimEnd().Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_an_invalid_setting_names_it()
    {
        using var dir = new TempDirectory("cli-serve");
        var (code, _, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromSeconds(60),
            "serve", "--http-port", TestPorts.Free().ToString(), "--mqtt-port", TestPorts.Free().ToString(), "--data-dir", Path.Combine(dir.Path, "data"), "--Ingest:QueueCapacity", "0");
        Assert.Equal(1, code);
        Assert.Contains("Ingest:QueueCapacity", Assert.Single(stderr.TrimEnd().Split('\n')), StringComparison.Ordinal);
    }
}
