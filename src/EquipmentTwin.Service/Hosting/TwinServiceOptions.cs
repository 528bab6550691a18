using System.ComponentModel.DataAnnotations;

namespace EquipmentTwin.Service.Hosting;

/// <summary>Section <c>Mqtt</c>: the embedded broker, or the external one the service subscribes to.</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>Run the MQTTnet broker inside the service (default); false to subscribe to an external broker at Host:Port.</summary>
    public bool Embedded { get; set; } = true;

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Address the embedded broker listens on; 0.0.0.0 to accept devices on the site network.</summary>
    [Required]
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Client id of the ingest subscription on an external broker; its persistent session holds messages while the service is down.</summary>
    [Required]
    public string ClientId { get; set; } = "twin-service-ingest";

    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool Tls { get; set; }

    /// <summary>Embedded broker: Mosquitto-format password file (from <c>twin credentials</c>); every client must authenticate against it.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Embedded broker: Mosquitto-format ACL file; what each user may publish and subscribe to.</summary>
    public string? AclFile { get; set; }

    /// <summary>External broker: file holding the service's password (read at start), instead of Password.</summary>
    public string? PasswordFromFile { get; set; }

    /// <summary>Embedded broker: largest payload it takes; a larger publish is refused (PUBACK QuotaExceeded on MQTT 5) and counted, never stored.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Why these settings may not run: anonymous access on a non-loopback address (demo mode is loopback only).</summary>
    public string? Refusal()
    {
        if (!Embedded || PasswordFile is { Length: > 0 } || Username is { Length: > 0 })
        {
            return null;
        }

        return Security.SecurityMode.IsLoopback(Bind) ? null
            : $"the embedded broker listens on {Bind}, not loopback, with no Mqtt:PasswordFile: anonymous devices are only allowed on loopback (write credentials with 'twin credentials')";
    }

    /// <summary><c>mqtt://host:port</c> (or <c>mqtts://</c>) of an external broker; when set it implies Embedded=false, Host, Port and Tls.</summary>
    public string? Url { get; set; }

    /// <summary>Applies <see cref="Url"/> over Embedded, Host, Port and Tls; returns an error text when it is not a broker URL.</summary>
    public string? ApplyUrl()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            return null;
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts" or "tcp" or "ssl") || string.IsNullOrEmpty(uri.Host))
        {
            return $"Mqtt:Url '{Url}' is not mqtt://host:port or mqtts://host:port";
        }

        Embedded = false;
        Host = uri.Host;
        Tls = uri.Scheme is "mqtts" or "ssl";
        Port = uri.IsDefaultPort || uri.Port <= 0 ? (Tls ? 8883 : 1883) : uri.Port;
        return null;
    }
}

/// <summary>Section <c>Http</c>: the API and dashboard.</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    [Range(0, 65535)]
    public int Port { get; set; } = 5080;

    [Required]
    public string Bind { get; set; } = "127.0.0.1";
}

/// <summary>Section <c>Store</c>: where telemetry lives.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    public const string Sqlite = "sqlite";
    public const string Influx = "influx";

    /// <summary><c>sqlite</c> (embedded, default) or <c>influx</c> (readings, events and maintenance in InfluxDB; the rest in SQLite under DataDir).</summary>
    [Required]
    [RegularExpression("^(sqlite|influx)$", ErrorMessage = "Store:Kind must be sqlite or influx")]
    public string Kind { get; set; } = Sqlite;

    /// <summary>Folder of the SQLite database (all data with sqlite; metadata with influx).</summary>
    [Required]
    public string DataDir { get; set; } = "./data";

    /// <summary>fsync every commit (survives power loss); false trades that for speed (survives a process crash only).</summary>
    public bool SynchronousFull { get; set; } = true;

    /// <summary>Retries of a failed store write before its messages are left unacknowledged (the publisher or broker sends them again).</summary>
    [Range(0, 100)]
    public int WriteRetries { get; set; } = 6;

    /// <summary>Longest pause between two retries of a store write (exponential from 200 ms, jittered).</summary>
    [Range(0.2, 300)]
    public double WriteRetryMaxDelaySeconds { get; set; } = 10;
}

/// <summary>Section <c>Ingest</c>: wire-format limits and write batching.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    [Range(1024, 64 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Bytes of a quarantined payload kept in the database; its size and SHA-256 are kept for the whole.</summary>
    [Range(0, 1024 * 1024)]
    public int QuarantineHeadBytes { get; set; } = 4096;

    [Range(1, 1_000_000)]
    public int MaxRecordsPerBatch { get; set; } = 10_000;

    /// <summary>Records stamped further ahead of receipt than this are refused; 0 or less disables the check (simulated time).</summary>
    public double MaxFutureSkewMinutes { get; set; } = 60;

    /// <summary>Most messages committed in one store transaction.</summary>
    [Range(1, 100_000)]
    public int MaxMessagesPerWrite { get; set; } = 256;

    /// <summary>
    /// Group commit: how long a write may wait for messages that are being decoded at that moment, so that one
    /// transaction (one fsync) covers them. Never delays a message when nothing else is arriving. 0 turns it off.
    /// </summary>
    [Range(0, 60_000)]
    public double MaxCommitDelayMs { get; set; } = 5;

    /// <summary>Messages decoded and waiting for the writer; when full, publishers wait (back-pressure).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 4096;
}

/// <summary>Section <c>Catalog</c>.</summary>
public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>Folder of <c>{modality}.json</c> catalogs; default: seeds/catalog beside the program.</summary>
    public string? Directory { get; set; }

    public string ResolveDirectory() =>
        Directory is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "seeds", "catalog");
}
