using System.Text;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Simulator.Output;

/// <summary>
/// Files mode: one vendor-style log per device per UTC day at <c>{out}/{site}/{deviceId}/{yyyy-MM-dd}.log</c>,
/// the device's nameplate as <c>nameplate.json</c> and its maintenance records as <c>maintenance.jsonl</c> (wire-format JSON, one per line).
/// </summary>
public sealed class VendorLogWriter : IDisposable
{
    private readonly string _outDir;
    private readonly Dictionary<string, DeviceFiles> _devices = new(StringComparer.Ordinal);

    public VendorLogWriter(string outDir, SignalCatalog catalog, IEnumerable<DeviceSpec> devices)
    {
        _outDir = outDir;
        foreach (var d in devices)
        {
            var dir = Path.Combine(outDir, d.Site, d.Id);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, "nameplate.json"), WireCodec.EncodeNameplate(d.ToNameplate()));
            File.WriteAllText(Path.Combine(dir, "maintenance.jsonl"), "");
            var cat = catalog[d.Modality];
            _devices[d.Id] = new DeviceFiles(dir, VendorLogFormat.For(d.Modality), VendorLogFormat.Units(cat));
        }
    }

    public string OutputDirectory => _outDir;

    public long LinesWritten { get; private set; }

    public void Write(SimulationStep step)
    {
        var files = _devices[step.Device.Id];
        foreach (var r in step.Records)
        {
            var day = r.TimestampMs / 86_400_000;
            if (day != files.Day || files.Writer is null)
            {
                files.Open(day);
            }

            files.Format.Write(files.Writer!, r, r.Name is { } n ? files.Units.GetValueOrDefault(n) : null);
        }

        LinesWritten += step.Records.Count;
        if (step.Maintenance.Count > 0)
        {
            using var m = new StreamWriter(Path.Combine(files.Directory, "maintenance.jsonl"), append: true, new UTF8Encoding(false));
            foreach (var rec in step.Maintenance)
            {
                m.Write(Encoding.UTF8.GetString(WireCodec.EncodeMaintenance(rec)));
                m.Write('\n');
            }
        }
    }

    public void Dispose()
    {
        foreach (var f in _devices.Values)
        {
            f.Writer?.Dispose();
        }
    }

    private sealed class DeviceFiles(string directory, VendorLogFormat format, Dictionary<string, string> units)
    {
        public string Directory { get; } = directory;
        public VendorLogFormat Format { get; } = format;
        public Dictionary<string, string> Units { get; } = units;
        public long Day { get; private set; } = long.MinValue;
        public StreamWriter? Writer { get; private set; }

        public void Open(long day)
        {
            Writer?.Dispose();
            Day = day;
            var date = DateTimeOffset.FromUnixTimeMilliseconds(day * 86_400_000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var path = Path.Combine(Directory, date + ".log");
            // Each day file is opened once per run (days only advance), so it is created afresh: reruns give identical files.
            Writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
            if (Format.Header is { } h)
            {
                Writer.Write(h);
                Writer.Write('\n');
            }
        }
    }
}
