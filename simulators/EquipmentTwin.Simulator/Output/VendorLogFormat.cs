using System.Globalization;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Simulator.Output;

/// <summary>
/// A vendor-style text log format (docs/vendor-logs.md): MRI "pipe", CT "bracket", X-ray "csv".
/// The edge agent needs one parser per format. Timestamps are UTC.
/// </summary>
public abstract class VendorLogFormat
{
    public abstract string Name { get; }

    /// <summary>First line of each file, or null.</summary>
    public virtual string? Header => null;

    public abstract void Write(TextWriter writer, in LogRecord record, string? unit);

    public static VendorLogFormat For(Modality modality) => modality switch
    {
        Modality.Mri => new PipeFormat(),
        Modality.Ct => new BracketFormat(),
        _ => new CsvFormat(),
    };

    protected static string Severity3(Severity s) => s switch
    {
        Severity.Info => "INFO",
        Severity.Warning => "WARN",
        Severity.Error => "ERR",
        _ => "CRIT",
    };

    protected static void WriteNumber(TextWriter w, double value, Span<char> buffer)
    {
        value.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        w.Write(buffer[..n]);
    }

    /// <summary><c>2026-11-24 02:00:00.123|PARAM|he_level_pct|71.2|%</c> and <c>...|EVENT|MR-HE-201|WARN|text</c>.</summary>
    private sealed class PipeFormat : VendorLogFormat
    {
        public override string Name => "pipe";

        public override void Write(TextWriter w, in LogRecord r, string? unit)
        {
            Span<char> buf = stackalloc char[32];
            r.Timestamp.UtcDateTime.TryFormat(buf, out var n, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
            w.Write(buf[..n]);
            if (r.Type == RecordType.Param)
            {
                w.Write("|PARAM|");
                w.Write(r.Name);
                w.Write('|');
                WriteNumber(w, r.Value, buf);
                w.Write('|');
                w.Write(unit);
            }
            else
            {
                w.Write("|EVENT|");
                w.Write(r.Code);
                w.Write('|');
                w.Write(Severity3(r.Severity));
                w.Write('|');
                w.Write(r.Text?.Replace('|', '/').Replace('\n', ' '));
            }

            w.Write('\n');
        }
    }

    /// <summary><c>[24-Nov-2026 02:00:00.123] PAR anode_heat_pct=34.2 %</c> and <c>[...] EVT CT-TUB-101 ERR "text"</c>.</summary>
    private sealed class BracketFormat : VendorLogFormat
    {
        public override string Name => "bracket";

        public override void Write(TextWriter w, in LogRecord r, string? unit)
        {
            Span<char> buf = stackalloc char[32];
            w.Write('[');
            r.Timestamp.UtcDateTime.TryFormat(buf, out var n, "dd-MMM-yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);
            w.Write(buf[..n]);
            if (r.Type == RecordType.Param)
            {
                w.Write("] PAR ");
                w.Write(r.Name);
                w.Write('=');
                WriteNumber(w, r.Value, buf);
                if (!string.IsNullOrEmpty(unit))
                {
                    w.Write(' ');
                    w.Write(unit);
                }
            }
            else
            {
                w.Write("] EVT ");
                w.Write(r.Code);
                w.Write(' ');
                w.Write(Severity3(r.Severity));
                w.Write(" \"");
                w.Write(r.Text?.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace('\n', ' '));
                w.Write('"');
            }

            w.Write('\n');
        }
    }

    /// <summary><c>epoch_ms;type;name;value;unit;severity;text</c>: <c>1795485601250;P;kv_actual_kv;81.3;kV;;</c>, <c>1795485601250;E;XR-EXP-020;;;I;Exposure released</c>.</summary>
    private sealed class CsvFormat : VendorLogFormat
    {
        public override string Name => "csv";

        public override string Header => "epoch_ms;type;name;value;unit;severity;text";

        public override void Write(TextWriter w, in LogRecord r, string? unit)
        {
            Span<char> buf = stackalloc char[32];
            r.TimestampMs.TryFormat(buf, out var n, default, CultureInfo.InvariantCulture);
            w.Write(buf[..n]);
            if (r.Type == RecordType.Param)
            {
                w.Write(";P;");
                w.Write(r.Name);
                w.Write(';');
                WriteNumber(w, r.Value, buf);
                w.Write(';');
                w.Write(unit);
                w.Write(";;");
            }
            else
            {
                w.Write(";E;");
                w.Write(r.Code);
                w.Write(";;;");
                w.Write(r.Severity switch { Severity.Info => 'I', Severity.Warning => 'W', Severity.Error => 'E', _ => 'C' });
                w.Write(';');
                var text = r.Text ?? "";
                if (text.Contains(';') || text.Contains('"'))
                {
                    w.Write('"');
                    w.Write(text.Replace("\"", "\"\""));
                    w.Write('"');
                }
                else
                {
                    w.Write(text);
                }
            }

            w.Write('\n');
        }
    }

    /// <summary>Unit lookup by signal name for one modality.</summary>
    internal static Dictionary<string, string> Units(ModalityCatalog catalog) =>
        catalog.Signals.Values.ToDictionary(s => s.Name, s => s.Unit, StringComparer.Ordinal);
}
