using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Pipeline;

/// <summary>
/// The one analytics pipeline, fed live by the service after ingest and offline by the backtest: per
/// device a <see cref="DeviceAnalytics"/> with its engines, and one or more alert books fusing their
/// evidence at every hour of event time and after maintenance. Not thread-safe: one caller at a time.
/// </summary>
public sealed class AnalyticsPipeline
{
    public const string FusedView = "fused";

    private readonly Dictionary<string, DeviceAnalytics> _devices = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<IAnalyticsEngine> _engines;
    private readonly List<AlertBook> _views = new();
    private readonly SignalCatalog _catalog;

    public AnalyticsPipeline(IEnumerable<IAnalyticsEngine> engines, SignalCatalog catalog, FusionOptions? fusion = null)
    {
        _engines = engines.ToArray();
        _catalog = catalog;
        Alerts = new AlertBook(FusedView, fusion ?? new FusionOptions());
        _views.Add(Alerts);
    }

    /// <summary>The alerts of all engines fused: what users see.</summary>
    public AlertBook Alerts { get; }

    /// <summary>Every alert book, the fused one first (the backtest adds one per engine alone).</summary>
    public IReadOnlyList<AlertBook> Views => _views;

    public IReadOnlyCollection<DeviceAnalytics> Devices => _devices.Values;

    public IReadOnlyList<IAnalyticsEngine> Engines => _engines;

    /// <summary>Adds an alert book that sees only the evidence of the engines <paramref name="include"/> admits.</summary>
    public AlertBook AddView(string name, Func<EngineKind, bool> include, FusionOptions? options = null)
    {
        var book = new AlertBook(name, options ?? Alerts.Options, include);
        _views.Add(book);
        return book;
    }

    public DeviceAnalytics? Find(string deviceId) => _devices.GetValueOrDefault(deviceId);

    /// <summary>Feeds a device's records; the device is created on first sight.</summary>
    public void Process(string deviceId, string site, Modality modality, IReadOnlyList<LogRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        GetOrAdd(deviceId, site, modality).Process(records);
    }

    public void ProcessMaintenance(string deviceId, string site, Modality modality, MaintenanceRecord record)
    {
        var device = GetOrAdd(deviceId, site, modality);
        device.ProcessMaintenance(record);
        foreach (var view in _views)
        {
            view.OnMaintenance(device.Context, record);
        }
    }

    /// <summary>Moves every device's clock to <paramref name="ms"/> (end of a backtest): closes hours and evaluates.</summary>
    public void AdvanceAllTo(long ms)
    {
        foreach (var device in _devices.Values)
        {
            device.AdvanceTo(ms);
        }
    }

    /// <summary>Current forecasts of a device, most urgent first.</summary>
    public IReadOnlyList<Forecast> Forecasts(string deviceId) =>
        _devices.TryGetValue(deviceId, out var d)
            ? d.Evidence().Where(e => e.Forecast is not null).Select(e => e.Forecast!).OrderBy(f => f.P50Ms).ToArray()
            : [];

    private DeviceAnalytics GetOrAdd(string deviceId, string site, Modality modality)
    {
        if (!_devices.TryGetValue(deviceId, out var device))
        {
            var context = new DeviceContext(deviceId, site, modality, _catalog[modality]);
            device = new DeviceAnalytics(context, _engines);
            device.HourClosed += OnHourClosed;
            _devices[deviceId] = device;
        }

        return device;
    }

    private void OnHourClosed(DeviceAnalytics device, long hourEndMs)
    {
        var evidence = device.Evidence().ToList();
        foreach (var view in _views)
        {
            view.Evaluate(device.Context, evidence, hourEndMs);
        }
    }
}
