using System.Globalization;
using System.Text.Json;

namespace EquipmentTwin.Simulator;

/// <summary>Reads fields of a JSON config file and throws <see cref="SimulationConfigException"/> naming the file and the field path.</summary>
internal readonly struct JsonFields(string file, JsonElement element, string path)
{
    public string File => file;
    public string Path => path;
    public JsonElement Element => element;

    public static JsonDocument Parse(string file)
    {
        if (!System.IO.File.Exists(file))
        {
            throw new SimulationConfigException($"{file}: file not found");
        }

        try
        {
            return JsonDocument.Parse(System.IO.File.ReadAllText(file), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new SimulationConfigException($"{file}: not valid JSON: {ex.Message}", ex);
        }
    }

    public string Where(string field) => path.Length == 0 ? field : $"{path}.{field}";

    public SimulationConfigException Error(string field, string problem) => new($"{file}: {Where(field)} {problem}");

    public bool Has(string field) => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public string RequiredString(string field) =>
        OptionalString(field) is { Length: > 0 } s ? s : throw Error(field, "is required");

    public string? OptionalString(string field)
    {
        if (!Has(field))
        {
            return null;
        }

        var v = element.GetProperty(field);
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error(field, $"must be a string, not {v.ValueKind.ToString().ToLowerInvariant()}");
    }

    public double? OptionalDouble(string field)
    {
        if (!Has(field))
        {
            return null;
        }

        var v = element.GetProperty(field);
        return v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : throw Error(field, $"must be a number, not {v.GetRawText()}");
    }

    public double RequiredDouble(string field) => OptionalDouble(field) ?? throw Error(field, "is required");

    /// <summary>A number that must be zero or more (rates, durations, magnitudes).</summary>
    public double NonNegative(string field, double fallback)
    {
        var d = OptionalDouble(field) ?? fallback;
        return d >= 0 ? d : throw Error(field, $"{d.ToString(CultureInfo.InvariantCulture)} must not be negative");
    }

    public double Positive(string field, double fallback)
    {
        var d = OptionalDouble(field) ?? fallback;
        return d > 0 ? d : throw Error(field, $"{d.ToString(CultureInfo.InvariantCulture)} must be positive");
    }

    public bool OptionalBool(string field, bool fallback)
    {
        if (!Has(field))
        {
            return fallback;
        }

        var v = element.GetProperty(field);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"must be true or false, not {v.GetRawText()}"),
        };
    }

    public JsonFields? OptionalObject(string field)
    {
        if (!Has(field))
        {
            return null;
        }

        var v = element.GetProperty(field);
        return v.ValueKind == JsonValueKind.Object ? new JsonFields(file, v, Where(field)) : throw Error(field, "must be an object");
    }

    public IEnumerable<JsonFields> Array(string field, bool required = false)
    {
        if (!Has(field))
        {
            if (required)
            {
                throw Error(field, "is required");
            }

            yield break;
        }

        var v = element.GetProperty(field);
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Error(field, "must be an array");
        }

        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            yield return new JsonFields(file, item, $"{Where(field)}[{i}]");
            i++;
        }
    }

    public IReadOnlyList<string> StringArray(string field)
    {
        var list = new List<string>();
        foreach (var item in Array(field))
        {
            list.Add(item.Element.ValueKind == JsonValueKind.String ? item.Element.GetString()! : throw new SimulationConfigException($"{file}: {item.Path} must be a string"));
        }

        return list;
    }

    /// <summary>A two-number range <c>[min, max]</c> with 0 &lt; min ≤ max.</summary>
    public (double Min, double Max) PositiveRange(string field)
    {
        if (!Has(field))
        {
            throw Error(field, "is required ([min, max])");
        }

        var v = element.GetProperty(field);
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 2 || v[0].ValueKind != JsonValueKind.Number || v[1].ValueKind != JsonValueKind.Number)
        {
            throw Error(field, "must be [min, max]");
        }

        double min = v[0].GetDouble(), max = v[1].GetDouble();
        if (!(min > 0) || !(max >= min))
        {
            throw Error(field, $"[{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}] must have 0 < min <= max");
        }

        return (min, max);
    }

    public IReadOnlyDictionary<string, JsonFields> Properties()
    {
        var d = new Dictionary<string, JsonFields>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in element.EnumerateObject())
            {
                d[p.Name] = new JsonFields(file, p.Value, Where(p.Name));
            }
        }

        return d;
    }
}
