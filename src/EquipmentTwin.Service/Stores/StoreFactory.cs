using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Influx;
using EquipmentTwin.Storage.Labels;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Stores;

/// <summary>
/// The one place that turns <c>Store:Kind</c> into stores: SQLite for everything, or InfluxDB for the time
/// series with SQLite keeping the rest. Alerts (and what else is not a time series) always live in SQLite.
/// The container disposes the stores it hands out (ITelemetryStore, IAlertStore).
/// </summary>
public sealed partial class StoreFactory
{
    private readonly SqliteTelemetryStore _sqlite;

    public StoreFactory(IOptions<StoreOptions> store, IOptions<InfluxOptions> influx, SignalCatalog catalog, ILogger<StoreFactory> logger)
    {
        var o = store.Value;
        var dataDir = Path.GetFullPath(o.DataDir);
        if (o.Kind == StoreOptions.Influx)
        {
            var i = influx.Value;
            _sqlite = SqliteTelemetryStore.Open(dataDir, o.SynchronousFull, keepTimeSeries: false);
            var client = new InfluxClient(ToConnection(i));
            Telemetry = new InfluxTelemetryStore(client, _sqlite, ComponentLookup(catalog));
            LogInflux(logger, i.Url!, i.Database, dataDir);
        }
        else
        {
            _sqlite = SqliteTelemetryStore.Open(dataDir, o.SynchronousFull);
            Telemetry = _sqlite;
            LogSqlite(logger, _sqlite.Path);
        }
    }

    public string Kind => Telemetry is InfluxTelemetryStore ? StoreOptions.Influx : StoreOptions.Sqlite;

    public ITelemetryStore Telemetry { get; }

    public IAlertStore Alerts => _sqlite;

    /// <summary>A model registry in the SQLite metadata database (its own table); the caller disposes it.</summary>
    public IModelRegistry CreateModelRegistry() => new SqliteModelRegistry(_sqlite.Path);

    /// <summary>The label set in the SQLite metadata database (its own table); the caller disposes it.</summary>
    public ILabelStore CreateLabelStore() => new SqliteLabelStore(_sqlite.Path);

    /// <summary>The SQLite database (all data, or the metadata beside InfluxDB): for backups and stores of its own tables.</summary>
    public SqliteTelemetryStore Sqlite => _sqlite;

    public static InfluxConnection ToConnection(InfluxOptions i)
    {
        var token = i.Token;
        if (string.IsNullOrEmpty(token) && i.TokenFile is { Length: > 0 } file)
        {
            token = File.ReadAllText(file).Trim();
        }

        var url = i.Url!.EndsWith('/') ? i.Url : i.Url + "/";
        return new InfluxConnection(new Uri(url), i.Database)
        {
            Token = token,
            Username = i.Username,
            Password = i.Password,
            RetentionPolicy = i.RetentionPolicy,
            CreateDatabase = i.CreateDatabase,
            MaxLinesPerRequest = i.MaxLinesPerRequest,
            Timeout = TimeSpan.FromSeconds(i.TimeoutSeconds),
        };
    }

    /// <summary>Component tags from the signal catalog (the component a signal or event code belongs to).</summary>
    public static InfluxLayout.ComponentLookup ComponentLookup(SignalCatalog catalog) => (modality, name, isEvent) =>
    {
        if (modality is not { } m || catalog.Find(m) is not { } c)
        {
            return null;
        }

        return isEvent ? c.FindEvent(name)?.Component : c.FindSignal(name)?.Component;
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Store: InfluxDB {Url} database {Database}; metadata in SQLite under {DataDir}")]
    private static partial void LogInflux(ILogger logger, string url, string database, string dataDir);

    [LoggerMessage(Level = LogLevel.Information, Message = "Store: SQLite {Path}")]
    private static partial void LogSqlite(ILogger logger, string path);
}
