using System.Globalization;
using System.Text;

namespace EquipmentTwin.Storage.Influx;

/// <summary>
/// Writes InfluxDB line protocol (<c>measurement,tag=v field=1 ts</c>) with the escaping InfluxDB's own
/// parser expects (influxdb models/points.go): measurement escapes comma and space; tag keys, tag values and
/// field keys escape comma, equals and space; string field values are double-quoted with quote and backslash
/// escaped. Floats are written shortest round-trip without a suffix, integers with <c>i</c>.
/// </summary>
public sealed class LineProtocolWriter
{
    private readonly StringBuilder _text = new();
    private int _state; // 0 = between lines, 1 = after measurement/tags, 2 = after a field
    private int _lines;

    public int Lines => _lines;

    public int Length => _text.Length;

    public LineProtocolWriter Measurement(string name)
    {
        if (_state != 0)
        {
            throw new InvalidOperationException("the previous line is not finished");
        }

        if (name.Length == 0)
        {
            throw new ArgumentException("a measurement needs a name", nameof(name));
        }

        if (_lines > 0)
        {
            _text.Append('\n');
        }

        Escape(name, measurement: true);
        _state = 1;
        return this;
    }

    /// <summary>Adds a tag; an empty value is left out (line protocol has no empty tag values). Call in key order for the fastest writes.</summary>
    public LineProtocolWriter Tag(string key, string? value)
    {
        if (_state != 1)
        {
            throw new InvalidOperationException("tags come right after the measurement");
        }

        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        _text.Append(',');
        Escape(key, measurement: false);
        _text.Append('=');
        Escape(value, measurement: false);
        return this;
    }

    public LineProtocolWriter Field(string key, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "line protocol has no NaN or infinity");
        }

        FieldKey(key);
        _text.Append(value.ToString("R", CultureInfo.InvariantCulture));
        return this;
    }

    public LineProtocolWriter Field(string key, long value)
    {
        FieldKey(key);
        _text.Append(value.ToString(CultureInfo.InvariantCulture)).Append('i');
        return this;
    }

    public LineProtocolWriter Field(string key, bool value)
    {
        FieldKey(key);
        _text.Append(value ? "true" : "false");
        return this;
    }

    public LineProtocolWriter Field(string key, string value)
    {
        FieldKey(key);
        _text.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                _text.Append('\\');
            }

            _text.Append(c);
        }

        _text.Append('"');
        return this;
    }

    /// <summary>Ends the line with a timestamp in the precision the write request names (nanoseconds here).</summary>
    public LineProtocolWriter Timestamp(long value)
    {
        if (_state != 2)
        {
            throw new InvalidOperationException("a line needs at least one field");
        }

        _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture));
        _state = 0;
        _lines++;
        return this;
    }

    public void Clear()
    {
        _text.Clear();
        _state = 0;
        _lines = 0;
    }

    public override string ToString() => _text.ToString();

    private void FieldKey(string key)
    {
        if (_state == 0)
        {
            throw new InvalidOperationException("a field belongs to a line");
        }

        _text.Append(_state == 1 ? ' ' : ',');
        Escape(key, measurement: false);
        _text.Append('=');
        _state = 2;
    }

    private void Escape(string value, bool measurement)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case ',' or ' ':
                    _text.Append('\\').Append(c);
                    break;
                case '=' when !measurement:
                    _text.Append('\\').Append(c);
                    break;
                case '\n' or '\r' or '\t':
                    // A line break cannot be escaped outside a string field; a tab is kept as a space too, so no
                    // name can split a line.
                    _text.Append("\\ ");
                    break;
                case '\\' when i == value.Length - 1:
                    // A trailing backslash would escape the separator after it; InfluxDB cannot represent it.
                    _text.Append('_');
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }
}
