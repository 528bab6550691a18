using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

/// <summary>One device driven through <see cref="DeviceAnalytics"/> with a rule engine, fed synthetic records in event time.</summary>
internal sealed class RuleHarness
{
    public static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    public static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public RuleHarness(RuleEngine engine, Modality modality = Modality.Mri, string deviceId = "dev01")
    {
        Device = new DeviceAnalytics(new DeviceContext(deviceId, "site", modality, Catalog[modality]), [engine]);
        Engine = (RuleDeviceEngine)Device.Engines.Single().Engine;
    }

    public DeviceAnalytics Device { get; }
    public RuleDeviceEngine Engine { get; }

    public static long Min(double minutes) => (long)(minutes * 60_000);

    public static long H(double hours) => (long)(hours * 3_600_000);

    public static long D(double days) => (long)(days * 86_400_000);

    /// <summary>An engine from rule objects written as JSON (the inside of the "rules" array).</summary>
    public static RuleEngine EngineOf(Modality modality, params string[] rules) => new(RuleSetOf(modality, rules));

    public static RuleSet RuleSetOf(Modality modality, params string[] rules)
    {
        var json = $"{{ \"modality\": \"{modality.ToWire()}\", \"rules\": [ {string.Join(",", rules)} ] }}";
        var (m, list) = RuleLoader.Parse(json, "test.json", Catalog);
        return new RuleSet(new Dictionary<Modality, IReadOnlyList<Rule>> { [m] = list });
    }

    public static RuleHarness With(Modality modality, params string[] rules) => new(EngineOf(modality, rules), modality);

    public static RuleEngine Shipped { get; } = RuleEngine.Load(Path.Combine(RepoPaths.Root, "config", "rules"), Catalog);

    /// <summary>Readings of several signals every <paramref name="stepMs"/> over [from, to] (relative to T0), interleaved in time.</summary>
    public RuleHarness Feed(long fromMs, long toMs, long stepMs, params (string Signal, Func<long, double> Value)[] signals)
    {
        for (var t = fromMs; t <= toMs; t += stepMs)
        {
            foreach (var (signal, value) in signals)
            {
                Device.Process(LogRecord.Param(T0 + t, signal, value(t)));
            }
        }

        return this;
    }

    public RuleHarness Feed(string signal, long fromMs, long toMs, long stepMs, Func<long, double> value) =>
        Feed(fromMs, toMs, stepMs, (signal, value));

    public RuleHarness Event(long atMs, string code)
    {
        Device.Process(LogRecord.Event(T0 + atMs, code, Severity.Error, null));
        return this;
    }

    public RuleHarness Maintenance(long atMs, string component, MaintenanceAction action)
    {
        Device.ProcessMaintenance(new MaintenanceRecord(T0 + atMs, component, action, null, "test"));
        return this;
    }

    public RuleHarness AdvanceTo(long atMs)
    {
        Device.AdvanceTo(T0 + atMs);
        return this;
    }

    public bool Active(string id) => Engine.IsActive(id);

    public Evidence? Evidence(string id) => Device.Evidence().SingleOrDefault(e => e.Source == id);
}
