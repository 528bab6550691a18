using EquipmentTwin.Edge.Queue;
using Microsoft.Extensions.Configuration;

namespace EquipmentTwin.Edge.Hosting;

/// <summary>All settings of the agent (<c>config/edge/appsettings.json</c>, env <c>EQUIPMENTTWIN_EDGE__</c>, command line), validated at start by <see cref="EdgeSettingsValidator"/>.</summary>
public sealed class EdgeSettings
{
    public AgentSettings Edge { get; set; } = new();
    public MqttSettings Mqtt { get; set; } = new();
    public BatchingSettings Batching { get; set; } = new();
    public QueueSettings Queue { get; set; } = new();
    public HttpSettings Http { get; set; } = new();
    public List<DeviceSettings> Devices { get; set; } = [];
    public SyslogSettings Syslog { get; set; } = new();

    /// <summary>Binds everything, including a device's nameplate given as a file path or as an inline object.</summary>
    public static void Bind(IConfiguration configuration, EdgeSettings settings)
    {
        configuration.Bind(settings);
        var sections = configuration.GetSection("Devices").GetChildren().ToList();
        for (var i = 0; i < sections.Count && i < settings.Devices.Count; i++)
        {
            // "nameplate" is a path or an object; the binder cannot put both in one property, so it is read here.
            var np = sections[i].GetSection("nameplate");
            settings.Devices[i].NameplateFile = np.Value;
            if (np.Value is null && np.GetChildren().Any())
            {
                settings.Devices[i].InlineNameplate = np.GetChildren().Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!, StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    public string DataDir => Path.GetFullPath(Edge.DataDir);
}

public sealed class AgentSettings
{
    /// <summary>The wire <c>source</c>: names this agent's batches, numbered by one persisted <c>seq</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>Default site of the devices (a device may name its own).</summary>
    public string Site { get; set; } = "";

    /// <summary>Journal, seq, rejected lines and status.json.</summary>
    public string DataDir { get; set; } = "./data/edge";

    /// <summary>How often a file source looks for new lines, rotation and truncation.</summary>
    public int PollMs { get; set; } = 100;

    /// <summary>
    /// A rotated file (renamed away from the tailed path) is followed until it has not grown for this long, as a writer
    /// may reopen its file late (Fluent Bit's <c>Rotate_Wait</c>, Filebeat's <c>close_inactive</c>); then it is closed
    /// and only watched for growth.
    /// </summary>
    public int RotateWaitMs { get; set; } = 5000;
}

public sealed class MqttSettings
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;

    /// <summary>Client id of the logs connection (default: the source id); each device's status connection adds <c>-{deviceId}</c>.</summary>
    public string ClientId { get; set; } = "";

    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool Tls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate, when it is not in the system store.</summary>
    public string? CaFile { get; set; }

    public bool AllowUntrustedCertificates { get; set; }
    public int KeepAliveSeconds { get; set; } = 30;
    public uint SessionExpirySeconds { get; set; } = 86_400;

    /// <summary>Batches published and not yet acknowledged at one time.</summary>
    public int MaxInFlight { get; set; } = 16;

    /// <summary>
    /// Treat a PUBACK "no matching subscribers" (MQTT 5) as not delivered and send the batch again later. For an external
    /// broker whose consumer is the service's persistent session, this code means the broker lost that session. Leave
    /// false with the embedded broker, which stores without subscribing and always answers so.
    /// </summary>
    public bool RequireSubscriber { get; set; }

    public int ReconnectBaseDelayMs { get; set; } = 500;
    public int ReconnectMaxDelaySeconds { get; set; } = 30;
}

public sealed class BatchingSettings
{
    public int MaxRecords { get; set; } = 500;
    public int MaxDelayMs { get; set; } = 200;

    /// <summary>A batch is also closed at about this many bytes of text, far under the wire's 1 MiB payload limit.</summary>
    public int MaxBytes { get; set; } = 256 * 1024;
}

public sealed class QueueSettings
{
    /// <summary>Most bytes of unacknowledged batches on disk.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    public QueueFullPolicy FullPolicy { get; set; } = QueueFullPolicy.Backpressure;

    /// <summary>Size of one journal segment file (at most a quarter of MaxBytes).</summary>
    public long SegmentBytes { get; set; } = 4L * 1024 * 1024;
}

public sealed class HttpSettings
{
    /// <summary>Port of <c>GET /status</c> and <c>/metrics</c>; 0 disables the endpoint (status.json is still written).</summary>
    public int Port { get; set; } = 5091;

    public string Bind { get; set; } = "127.0.0.1";
}

public sealed class DeviceSettings
{
    public string Id { get; set; } = "";

    /// <summary>Site of this device; default <c>Edge:Site</c>.</summary>
    public string? Site { get; set; }

    /// <summary><c>pipe</c> (MRI), <c>bracket</c> (CT) or <c>csv</c> (X-ray).</summary>
    public string Format { get; set; } = "";

    /// <summary>A growing log file to follow.</summary>
    public string? Tail { get; set; }

    /// <summary>A folder of log files (dropped by a vendor tool, or one per day).</summary>
    public string? Directory { get; set; }

    public string Pattern { get; set; } = "*.log";

    /// <summary>Path of a nameplate JSON file (wire format): the config key <c>nameplate</c> given as a string.</summary>
    [ConfigurationKeyName("-nameplate-file")]
    public string? NameplateFile { get; set; }

    /// <summary>The config key <c>nameplate</c> given as an object.</summary>
    [ConfigurationKeyName("-nameplate-inline")]
    public Dictionary<string, string>? InlineNameplate { get; set; }
}

public sealed class SyslogSettings
{
    public int UdpPort { get; set; }
    public int TcpPort { get; set; }
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Syslog hostname or app-name → device id.</summary>
    public Dictionary<string, string> Devices { get; set; } = new(StringComparer.Ordinal);
}
