namespace EquipmentTwin.Storage.Influx;

/// <summary>Where and how to reach an InfluxDB through its v1-compatible HTTP API (1.x; 2.x and 3.x with a token).</summary>
public sealed record InfluxConnection(Uri Url, string Database)
{
    /// <summary>2.x/3.x: sent as <c>Authorization: Token …</c>.</summary>
    public string? Token { get; init; }

    /// <summary>1.x with authentication on: sent as HTTP basic credentials.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Retention policy to write to (empty: the database's default).</summary>
    public string? RetentionPolicy { get; init; }

    /// <summary>Most lines in one POST /write; a larger store write is split and acknowledged only when every part is in.</summary>
    public int MaxLinesPerRequest { get; init; } = 5000;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Issue <c>CREATE DATABASE</c> (idempotent on 1.x) before the first write; off for 2.x/3.x where a bucket is mapped instead.</summary>
    public bool CreateDatabase { get; init; } = true;
}
