using System.Text.Json;
using System.Text.Json.Nodes;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Edge.Tests;

/// <summary>An agent configuration file for a test: one or more devices, the broker port, a data folder, fast reconnects.</summary>
public sealed class AgentConfig
{
    public string Source { get; init; } = "edge-test";
    public string Site { get; init; } = "t1";
    public required string DataDir { get; init; }
    public required int MqttPort { get; init; }
    public int HttpPort { get; init; } = TestPorts.Free();
    public long QueueMaxBytes { get; init; } = 64L * 1024 * 1024;
    public long SegmentBytes { get; init; } = 4L * 1024 * 1024;
    public List<JsonObject> Devices { get; } = [];
    public JsonObject? Syslog { get; init; }
    public bool RequireSubscriber { get; init; }

    /// <summary>Short, so tests see a rotated file closed quickly (the agent's default is 5 s).</summary>
    public int RotateWaitMs { get; init; } = 300;

    public AgentConfig Tail(string id, string format, string path, string modality = "mri")
    {
        Devices.Add(new JsonObject { ["id"] = id, ["format"] = format, ["tail"] = path, ["nameplate"] = Nameplate(modality) });
        return this;
    }

    public AgentConfig Directory(string id, string format, string dir, string pattern = "*.log", string modality = "mri")
    {
        Devices.Add(new JsonObject { ["id"] = id, ["format"] = format, ["directory"] = dir, ["pattern"] = pattern, ["nameplate"] = Nameplate(modality) });
        return this;
    }

    public AgentConfig SyslogOnly(string id, string format, string modality = "ct")
    {
        Devices.Add(new JsonObject { ["id"] = id, ["format"] = format, ["nameplate"] = Nameplate(modality) });
        return this;
    }

    private static JsonObject Nameplate(string modality) => new() { ["modality"] = modality, ["vendor"] = "Acme", ["model"] = "T1" };

    public string Write(string path)
    {
        var root = new JsonObject
        {
            ["Edge"] = new JsonObject { ["Source"] = Source, ["Site"] = Site, ["DataDir"] = DataDir, ["PollMs"] = 50, ["RotateWaitMs"] = RotateWaitMs },
            ["Mqtt"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = MqttPort, ["ClientId"] = Source, ["ReconnectBaseDelayMs"] = 100, ["ReconnectMaxDelaySeconds"] = 1, ["RequireSubscriber"] = RequireSubscriber },
            ["Batching"] = new JsonObject { ["MaxRecords"] = 500, ["MaxDelayMs"] = 100 },
            ["Queue"] = new JsonObject { ["MaxBytes"] = QueueMaxBytes, ["SegmentBytes"] = SegmentBytes, ["FullPolicy"] = "Backpressure" },
            ["Http"] = new JsonObject { ["Port"] = HttpPort, ["Bind"] = "127.0.0.1" },
            ["Devices"] = new JsonArray(Devices.Select(d => (JsonNode)d.DeepClone()).ToArray()),
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["EquipmentTwin"] = "Information" } },
        };
        if (Syslog is not null)
        {
            root["Syslog"] = Syslog.DeepClone();
        }

        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
