using System.Net;
using System.Text;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Edge.Parsing;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Edge.Hosting;

/// <summary>Checks the settings at start and says exactly which one is wrong and how to fix it.</summary>
public sealed class EdgeSettingsValidator : IValidateOptions<EdgeSettings>
{
    public ValidateOptionsResult Validate(string? name, EdgeSettings s)
    {
        var errors = new List<string>();
        if (!IsSource(s.Edge.Source))
        {
            errors.Add($"Edge:Source '{s.Edge.Source}' must match [A-Za-z0-9_.:-]{{1,128}} (e.g. edge-site1)");
        }

        if (!Topics.IsValidSegment(s.Edge.Site))
        {
            errors.Add($"Edge:Site '{s.Edge.Site}' must match [A-Za-z0-9_-]{{1,64}}");
        }

        if (string.IsNullOrWhiteSpace(s.Edge.DataDir))
        {
            errors.Add("Edge:DataDir is required");
        }

        if (s.Edge.PollMs is < 10 or > 10_000)
        {
            errors.Add("Edge:PollMs must be between 10 and 10000");
        }

        if (s.Edge.RotateWaitMs is < 0 or > 3_600_000)
        {
            errors.Add("Edge:RotateWaitMs must be between 0 and 3600000 (how long a rotated file is followed after its last growth)");
        }

        if (string.IsNullOrWhiteSpace(s.Mqtt.Host))
        {
            errors.Add("Mqtt:Host is required");
        }

        if (s.Mqtt.Port is < 1 or > 65535)
        {
            errors.Add($"Mqtt:Port {s.Mqtt.Port} must be between 1 and 65535");
        }

        if (s.Mqtt.KeepAliveSeconds is < 1 or > 3600)
        {
            errors.Add("Mqtt:KeepAliveSeconds must be between 1 and 3600");
        }

        if (s.Mqtt.MaxInFlight is < 1 or > 1000)
        {
            errors.Add("Mqtt:MaxInFlight must be between 1 and 1000");
        }

        if (s.Mqtt.ReconnectBaseDelayMs < 10 || s.Mqtt.ReconnectMaxDelaySeconds < 1)
        {
            errors.Add("Mqtt:ReconnectBaseDelayMs must be >= 10 and Mqtt:ReconnectMaxDelaySeconds >= 1");
        }

        if (s.Mqtt.Username is { Length: > 0 } && s.Mqtt.Password is null)
        {
            errors.Add("Mqtt:Password is required when Mqtt:Username is set");
        }

        if (s.Mqtt.CaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            errors.Add($"Mqtt:CaFile '{ca}' does not exist");
        }

        if (s.Batching.MaxRecords is < 1 or > 10_000)
        {
            errors.Add("Batching:MaxRecords must be between 1 and 10000 (the wire's limit per batch)");
        }

        if (s.Batching.MaxDelayMs is < 1 or > 60_000)
        {
            errors.Add("Batching:MaxDelayMs must be between 1 and 60000");
        }

        if (s.Batching.MaxBytes is < 1024 or > 768 * 1024)
        {
            errors.Add("Batching:MaxBytes must be between 1024 and 786432 (under the wire's 1 MiB payload limit)");
        }

        if (s.Queue.MaxBytes < 16 * 1024)
        {
            errors.Add("Queue:MaxBytes must be at least 16384");
        }

        if (s.Queue.SegmentBytes < 4096)
        {
            errors.Add("Queue:SegmentBytes must be at least 4096");
        }

        if (s.Http.Port is < 0 or > 65535)
        {
            errors.Add("Http:Port must be between 0 (disabled) and 65535");
        }

        if (!IPAddress.TryParse(s.Http.Bind, out _))
        {
            errors.Add($"Http:Bind '{s.Http.Bind}' is not an IP address");
        }

        ValidateDevices(s, errors);
        ValidateSyslog(s, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateDevices(EdgeSettings s, List<string> errors)
    {
        if (s.Devices.Count == 0)
        {
            errors.Add("Devices: configure at least one device (id, format, and tail, directory or a syslog mapping)");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < s.Devices.Count; i++)
        {
            var d = s.Devices[i];
            var where = $"Devices:{i} ('{d.Id}')";
            if (!Topics.IsValidSegment(d.Id))
            {
                errors.Add($"{where}: id must match [A-Za-z0-9_-]{{1,64}}");
            }
            else if (!seen.Add(d.Id))
            {
                errors.Add($"{where}: id is configured twice");
            }

            if (d.Site is not null && !Topics.IsValidSegment(d.Site))
            {
                errors.Add($"{where}: site '{d.Site}' must match [A-Za-z0-9_-]{{1,64}}");
            }

            if (VendorParsers.TryGet(d.Format) is null)
            {
                errors.Add($"{where}: format '{d.Format}' must be one of {string.Join(", ", VendorParsers.Formats)}");
            }

            var fed = s.Syslog.Devices.ContainsValue(d.Id);
            if (d.Tail is not null && d.Directory is not null)
            {
                errors.Add($"{where}: set either tail or directory, not both");
            }
            else if (d.Tail is null && d.Directory is null && !fed)
            {
                errors.Add($"{where}: set tail (a log file), directory (a folder of log files) or map it under Syslog:Devices");
            }

            if (d.Directory is { } dir && !Directory.Exists(dir))
            {
                errors.Add($"{where}: directory '{dir}' does not exist");
            }

            if (d.NameplateFile is not null || d.InlineNameplate is not null)
            {
                var (_, problem) = ResolveNameplate(d);
                if (problem is not null)
                {
                    errors.Add($"{where}: nameplate {problem}");
                }
            }
        }
    }

    private static void ValidateSyslog(EdgeSettings s, List<string> errors)
    {
        if (s.Syslog.UdpPort is < 0 or > 65535 || s.Syslog.TcpPort is < 0 or > 65535)
        {
            errors.Add("Syslog:UdpPort and Syslog:TcpPort must be between 0 (off) and 65535");
        }

        if (!IPAddress.TryParse(s.Syslog.Bind, out _))
        {
            errors.Add($"Syslog:Bind '{s.Syslog.Bind}' is not an IP address");
        }

        foreach (var (sender, device) in s.Syslog.Devices)
        {
            if (!s.Devices.Any(d => d.Id == device))
            {
                errors.Add($"Syslog:Devices:{sender} names device '{device}', which is not under Devices");
            }
        }
    }

    /// <summary>The device's nameplate from its file or inline object, decoded as the service would decode it.</summary>
    public static (Nameplate? Nameplate, string? Problem) ResolveNameplate(DeviceSettings d)
    {
        byte[] json;
        if (d.NameplateFile is { } path)
        {
            if (!File.Exists(path))
            {
                return (null, $"file '{path}' does not exist");
            }

            json = File.ReadAllBytes(path);
        }
        else if (d.InlineNameplate is { } fields)
        {
            var sb = new StringBuilder("{");
            foreach (var (k, v) in fields)
            {
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }

                sb.Append(System.Text.Json.JsonSerializer.Serialize(k.ToLowerInvariant())).Append(':').Append(System.Text.Json.JsonSerializer.Serialize(v));
            }

            json = Encoding.UTF8.GetBytes(sb.Append('}').ToString());
        }
        else
        {
            return (null, null);
        }

        var result = WireCodec.DecodeNameplate(new System.Buffers.ReadOnlySequence<byte>(json), WireLimits.Default);
        return result.IsValid ? (result.Value, null) : (null, $"is invalid: {result.Detail}");
    }

    private static bool IsSource(string s) =>
        s.Length is > 0 and <= 128 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-');
}
