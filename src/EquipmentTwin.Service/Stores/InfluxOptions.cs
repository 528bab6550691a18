using System.ComponentModel.DataAnnotations;

namespace EquipmentTwin.Service.Stores;

/// <summary>Section <c>Influx</c>: the InfluxDB behind <c>Store:Kind = influx</c> (v1-compatible HTTP API).</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:8086</c>; required with Store:Kind = influx.</summary>
    public string? Url { get; set; }

    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "Influx:Database must be 1-64 letters, digits, '_', '.' or '-'")]
    public string Database { get; set; } = "equipmenttwin";

    /// <summary>Retention policy written to; empty for the database's default.</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>2.x/3.x API token; set it from the environment (EQUIPMENTTWIN__Influx__Token) or a file (TokenFile), never in the repository.</summary>
    public string? Token { get; set; }

    /// <summary>File holding the token (e.g. a Docker secret); read once at start.</summary>
    public string? TokenFile { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Issue CREATE DATABASE before the first write (1.x); false for 2.x/3.x where a DBRP mapping names the bucket.</summary>
    public bool CreateDatabase { get; set; } = true;

    [Range(1, 100_000)]
    public int MaxLinesPerRequest { get; set; } = 5000;

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;
}
