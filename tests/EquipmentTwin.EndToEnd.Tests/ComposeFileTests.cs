using System.Text.Json;
using EquipmentTwin.Testing;
using YamlDotNet.Serialization;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary>
/// docker-compose.yml checked without a Docker engine (none runs here): its services, health checks, volumes, the
/// files it mounts, the secrets it expects from <c>twin credentials</c>, and the configs it points at agree.
/// </summary>
public sealed class ComposeFileTests
{
    private static Dictionary<object, object> Map(object? node) => Assert.IsType<Dictionary<object, object>>(node);

    private static List<object> List(object? node) => Assert.IsType<List<object>>(node);

    private static readonly Dictionary<object, object> Compose =
        new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(Path.Combine(RepoPaths.Root, "docker-compose.yml")));

    private static Dictionary<object, object> Service(string name) => Map(Map(Compose["services"])[name]);

    [Fact]
    public void Compose_runs_the_five_parts_with_health_checks_and_declared_volumes()
    {
        var services = Map(Compose["services"]);
        Assert.Equal(new HashSet<string> { "mosquitto", "influxdb", "twin", "simulator", "edge" }, services.Keys.Cast<string>().ToHashSet());
        foreach (var name in new[] { "mosquitto", "influxdb", "twin", "edge" })
        {
            Assert.True(Service(name).ContainsKey("healthcheck"), $"{name} has no health check");
        }

        var declared = Map(Compose["volumes"]).Keys.Cast<string>().ToHashSet();
        foreach (var (name, service) in services)
        {
            if (!Map(service).TryGetValue("volumes", out var volumes))
            {
                continue;
            }

            foreach (var volume in List(volumes).Cast<string>())
            {
                var source = volume.Split(':')[0];
                if (source.StartsWith("./", StringComparison.Ordinal))
                {
                    // Bind mounts of the repository's config must exist; ./credentials is written by `twin credentials`.
                    if (source != "./credentials")
                    {
                        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, source)) || Directory.Exists(Path.Combine(RepoPaths.Root, source)), $"{name} mounts {source}, which does not exist");
                    }
                }
                else
                {
                    Assert.Contains(source, declared);
                }
            }
        }

        var twinEnv = Map(Service("twin")["environment"]);
        Assert.Equal("influx", twinEnv["EQUIPMENTTWIN__Store__Kind"]);
        Assert.Equal("mqtt://mosquitto:1883", twinEnv["EQUIPMENTTWIN__Mqtt__Url"]);
        Assert.Equal("http://influxdb:8086", twinEnv["EQUIPMENTTWIN__Influx__Url"]);
        Assert.Equal(Map(Service("influxdb")["environment"])["INFLUXDB_DB"], twinEnv["EQUIPMENTTWIN__Influx__Database"]);
        Assert.Equal("service_completed_successfully", Map(Map(Service("edge")["depends_on"])["simulator"])["condition"]);
    }

    [Fact]
    public async Task The_secrets_compose_asks_for_are_the_ones_twin_credentials_writes_for_the_demo_fleet()
    {
        using var dir = new TempDirectory("compose-credentials");
        var (code, output) = await ExternalProcess.RunAsync("dotnet", [TwinProcess.TwinDll, "credentials", "--fleet", RepoPaths.Seeds("fleets", "demo.json"), "--out", dir.Path], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output);
        var written = File.ReadAllLines(Path.Combine(dir.Path, "secrets.env")).Select(l => l.Split('=')[0]).ToHashSet();

        var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
        var asked = System.Text.RegularExpressions.Regex.Matches(text, @"\$\{([A-Z0-9_]+):\?").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(new HashSet<string> { "MQTT_PASSWORD_TWIN_SERVICE", "MQTT_PASSWORD_SITE_GZ01" }, asked);
        Assert.Subset(written, asked);
        Assert.True(File.Exists(Path.Combine(dir.Path, "mosquitto", "passwd")) && File.Exists(Path.Combine(dir.Path, "mosquitto", "acl")) && File.Exists(Path.Combine(dir.Path, "users.json")));
    }

    [Fact]
    public void The_configs_compose_mounts_match_it_and_each_other()
    {
        // Mosquitto: credentials and persistence where compose mounts them; the packet limit at least the service's payload limit.
        var conf = File.ReadAllLines(Path.Combine(RepoPaths.Root, "config", "mosquitto.conf"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("false", conf["allow_anonymous"]);
        Assert.Equal("true", conf["persistence"]);
        Assert.StartsWith("/mosquitto/credentials/", conf["password_file"]);
        Assert.StartsWith("/mosquitto/credentials/", conf["acl_file"]);
        Assert.StartsWith("/mosquitto/data", conf["persistence_location"]);
        Assert.InRange(long.Parse(conf["max_packet_size"], System.Globalization.CultureInfo.InvariantCulture), new EquipmentTwin.Service.Hosting.MqttOptions().MaxPayloadBytes, long.MaxValue);
        var mosquittoVolumes = List(Service("mosquitto")["volumes"]).Cast<string>().ToList();
        Assert.Contains("./credentials:/mosquitto/credentials:ro", mosquittoVolumes);
        Assert.Contains("mosquitto-data:/mosquitto/data", mosquittoVolumes);

        // Edge: signs in as its site's agent, reads the simulator's output for that site's devices of the demo fleet.
        using var edge = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "edge", "compose.json")));
        var site = edge.RootElement.GetProperty("Edge").GetProperty("Site").GetString();
        Assert.Equal("mosquitto", edge.RootElement.GetProperty("Mqtt").GetProperty("Host").GetString());
        Assert.Equal("site-" + site, edge.RootElement.GetProperty("Mqtt").GetProperty("Username").GetString());
        using var fleet = JsonDocument.Parse(File.ReadAllText(RepoPaths.Seeds("fleets", "demo.json")));
        var fleetDevices = fleet.RootElement.GetProperty("devices").EnumerateArray().Where(d => d.GetProperty("site").GetString() == site).Select(d => d.GetProperty("id").GetString()).ToHashSet();
        var edgeDevices = edge.RootElement.GetProperty("Devices").EnumerateArray().ToList();
        Assert.Equal(fleetDevices, edgeDevices.Select(d => d.GetProperty("id").GetString()).ToHashSet());
        var simulatorOut = List(Service("simulator")["entrypoint"]).Cast<string>().SkipWhile(a => a != "--out").ElementAt(1);
        Assert.All(edgeDevices, d => Assert.Equal($"{simulatorOut}/{site}/{d.GetProperty("id").GetString()}", d.GetProperty("directory").GetString()));
        Assert.Contains("site-logs:/site-logs", List(Service("simulator")["volumes"]).Cast<string>());
        Assert.Contains("site-logs:/site-logs:ro", List(Service("edge")["volumes"]).Cast<string>());
    }
}
