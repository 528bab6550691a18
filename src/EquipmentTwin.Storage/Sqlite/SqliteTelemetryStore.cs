using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;
using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Sqlite;

/// <summary>
/// Embedded store on SQLite in WAL mode. One writer connection takes whole ingest batches in one
/// transaction (synchronous=FULL by default, so a commit survives power loss); readers use their own
/// pooled connections and never block the writer. Telemetry is keyed by a series id per
/// (device, signal) and kept in compressed chunks per series and day (<see cref="ChunkTable"/>).
/// </summary>
public sealed class SqliteTelemetryStore : ITelemetryStore, IAlertStore
{
    private const int SchemaVersion = 3;

    /// <summary>Pages of 16 KiB hold several compressed chunks each (4 KiB pages would waste up to half of one on a 2 KiB chunk).</summary>
    private const int PageSize = 16384;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<(string Device, string Signal), long> _seriesIds = new();
    private readonly ChunkTable _chunks = new();

    private readonly bool _keepTimeSeries;

    private SqliteTelemetryStore(string path, bool synchronousFull, bool keepTimeSeries)
    {
        Path = path;
        _keepTimeSeries = keepTimeSeries;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        if (Convert.ToInt64(Scalar(_writer, "PRAGMA page_count;")) == 0)
        {
            // Only a new, empty database takes a page size (and before WAL mode).
            Execute(_writer, $"PRAGMA page_size={PageSize};");
        }

        Execute(_writer, "PRAGMA journal_mode=WAL;");
        // The WAL file shrinks back after a checkpoint instead of keeping its largest size.
        Execute(_writer, "PRAGMA journal_size_limit=8388608;");
        Execute(_writer, synchronousFull ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        Execute(_writer, "PRAGMA busy_timeout=30000;");
        try
        {
            Migrate();
            AddQuarantineDigestColumns();
            LoadSeries();
            _chunks.LoadOpen(_writer);
        }
        catch
        {
            // Leave the file free for `twin store migrate` or another attempt.
            _writer.Dispose();
            SqliteConnection.ClearPool(_writer);
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Opens (creating if needed) the store at <c>{dataDir}/twin.db</c>.</summary>
    /// <param name="keepTimeSeries">false when another store (InfluxDB) keeps readings, events and maintenance:
    /// this one then keeps only what is not a time series (devices, latest values, dedup positions, quarantine,
    /// counters, alerts).</param>
    public static SqliteTelemetryStore Open(string dataDir, bool synchronousFull = true, bool keepTimeSeries = true)
    {
        Directory.CreateDirectory(dataDir);
        return new SqliteTelemetryStore(System.IO.Path.Combine(dataDir, "twin.db"), synchronousFull, keepTimeSeries);
    }

    /// <summary>Whether readings, events and maintenance are kept here (false: metadata only).</summary>
    public bool KeepsTimeSeries => _keepTimeSeries;

    /// <summary>Of the given (source, seq) pairs, those already stored (a resend of them is a duplicate).</summary>
    public Task<IReadOnlySet<(string Source, long Seq)>> FindStoredBatchesAsync(IReadOnlyCollection<(string Source, long Seq)> batches, CancellationToken cancellationToken)
    {
        var found = new HashSet<(string, long)>();
        if (batches.Count == 0)
        {
            return Task.FromResult<IReadOnlySet<(string, long)>>(found);
        }

        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM ingest_batches WHERE source = $s AND seq = $q";
        var source = cmd.Parameters.Add("$s", SqliteType.Text);
        var seq = cmd.Parameters.Add("$q", SqliteType.Integer);
        foreach (var (s, q) in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            source.Value = s;
            seq.Value = q;
            if (cmd.ExecuteScalar() is not null)
            {
                found.Add((s, q));
            }
        }

        return Task.FromResult<IReadOnlySet<(string, long)>>(found);
    }

    private void Migrate()
    {
        var version = Convert.ToInt32(Scalar(_writer, "PRAGMA user_version;"));
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException($"{Path} has schema version {version}; this build knows {SchemaVersion}. Use a newer build.");
        }

        if (version == SchemaVersion)
        {
            return;
        }

        if (version > 0 && TelemetryRows(_writer) > 0)
        {
            throw new StoreMigrationRequiredException($"{Path} keeps readings in the row-per-reading layout (schema {version}); run `twin store migrate --data-dir {System.IO.Path.GetDirectoryName(Path)}` once to move them into compressed chunks.");
        }

        // Every statement is idempotent: an older database gains what it lacks.
        Execute(_writer, """
            CREATE TABLE IF NOT EXISTS devices (
                device TEXT PRIMARY KEY, site TEXT NOT NULL,
                modality TEXT, vendor TEXT, model TEXT, serial TEXT, installed TEXT, software TEXT,
                online INTEGER, status_at INTEGER, last_received_at INTEGER);
            CREATE TABLE IF NOT EXISTS series (
                id INTEGER PRIMARY KEY, device TEXT NOT NULL, signal TEXT NOT NULL, UNIQUE (device, signal));
            CREATE TABLE IF NOT EXISTS latest (
                series INTEGER PRIMARY KEY, ts INTEGER NOT NULL, value REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS events (
                device TEXT NOT NULL, ts INTEGER NOT NULL, code TEXT NOT NULL, severity INTEGER NOT NULL, text TEXT);
            CREATE INDEX IF NOT EXISTS events_device_ts ON events (device, ts);
            CREATE TABLE IF NOT EXISTS ingest_batches (
                source TEXT NOT NULL, seq INTEGER NOT NULL, device TEXT NOT NULL, records INTEGER NOT NULL, received_at INTEGER NOT NULL,
                PRIMARY KEY (source, seq)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS quarantine (
                id INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, topic TEXT NOT NULL,
                reason TEXT NOT NULL, detail TEXT NOT NULL, whole INTEGER NOT NULL, records_rejected INTEGER NOT NULL, payload BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS maintenance (
                device TEXT NOT NULL, ts INTEGER NOT NULL, component TEXT NOT NULL, action TEXT NOT NULL, text TEXT, engineer TEXT,
                PRIMARY KEY (device, ts, component, action)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS alerts (
                id TEXT PRIMARY KEY, device TEXT NOT NULL, state TEXT NOT NULL, opened_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, json TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS alerts_device ON alerts (device);
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            DROP TABLE IF EXISTS telemetry;
            """);
        Execute(_writer, ChunkTable.Schema);
        Execute(_writer, $"PRAGMA user_version = {SchemaVersion};");
    }

    /// <summary>Quarantine keeps a payload's head only; these columns describe the whole (added in place to older files).</summary>
    private void AddQuarantineDigestColumns()
    {
        if (Convert.ToInt64(Scalar(_writer, "SELECT count(*) FROM pragma_table_info('quarantine') WHERE name = 'payload_bytes';")) == 0)
        {
            Execute(_writer, "ALTER TABLE quarantine ADD COLUMN payload_bytes INTEGER; ALTER TABLE quarantine ADD COLUMN sha256 TEXT;");
        }
    }

    private void LoadSeries()
    {
        using var cmd = _writer.CreateCommand();
        cmd.CommandText = "SELECT id, device, signal FROM series";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            _seriesIds[(r.GetString(1), r.GetString(2))] = r.GetInt64(0);
        }
    }

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var newSeries = new List<(string, string)>();
        try
        {
            return WriteLocked(items, newSeries);
        }
        catch
        {
            // The transaction rolled back: forget series ids it created and what it counted as open chunks.
            foreach (var key in newSeries)
            {
                _seriesIds.Remove(key);
            }

            _chunks.Discard();
            _chunks.LoadOpen(_writer);

            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private IReadOnlyList<WriteOutcome> WriteLocked(IReadOnlyList<IngestItem> items, List<(string, string)> newSeries)
    {
        var outcomes = new WriteOutcome[items.Count];
        using var tx = _writer.BeginTransaction();
        using var batchCmd = Command(tx, "INSERT OR IGNORE INTO ingest_batches (source, seq, device, records, received_at) VALUES ($s, $q, $d, $n, $r)", "$s", "$q", "$d", "$n", "$r");
        using var latestCmd = Command(tx, "INSERT INTO latest (series, ts, value) VALUES ($s, $t, $v) ON CONFLICT (series) DO UPDATE SET ts = excluded.ts, value = excluded.value WHERE excluded.ts >= latest.ts", "$s", "$t", "$v");
        using var eventCmd = Command(tx, "INSERT INTO events (device, ts, code, severity, text) VALUES ($d, $t, $c, $s, $x)", "$d", "$t", "$c", "$s", "$x");
        using var seriesCmd = Command(tx, "INSERT INTO series (device, signal) VALUES ($d, $g) RETURNING id", "$d", "$g");
        using var deviceCmd = Command(tx, "INSERT INTO devices (device, site, last_received_at) VALUES ($d, $s, $r) ON CONFLICT (device) DO UPDATE SET site = excluded.site, last_received_at = max(coalesce(last_received_at, 0), excluded.last_received_at)", "$d", "$s", "$r");
        using var nameplateCmd = Command(tx, "UPDATE devices SET modality = $m, vendor = $v, model = $o, serial = $se, installed = $i, software = $sw WHERE device = $d", "$m", "$v", "$o", "$se", "$i", "$sw", "$d");
        using var statusCmd = Command(tx, "UPDATE devices SET online = $o, status_at = $t WHERE device = $d", "$o", "$t", "$d");
        using var maintenanceCmd = Command(tx, "INSERT OR REPLACE INTO maintenance (device, ts, component, action, text, engineer) VALUES ($d, $t, $c, $a, $x, $e)", "$d", "$t", "$c", "$a", "$x", "$e");
        using var quarantineCmd = Command(tx, "INSERT INTO quarantine (received_at, topic, reason, detail, whole, records_rejected, payload, payload_bytes, sha256) VALUES ($r, $t, $re, $de, $w, $n, $p, $pb, $sh)", "$r", "$t", "$re", "$de", "$w", "$n", "$p", "$pb", "$sh");

        long batches = 0, records = 0, duplicates = 0, rejected = 0, recordsRejected = 0, nameplates = 0, statuses = 0, maintenance = 0, replaced = 0;
        var latest = new Dictionary<long, SignalPoint>();

        for (var i = 0; i < items.Count; i++)
        {
            switch (items[i])
            {
                case BatchItem b:
                    Run(batchCmd, b.Batch.Source, b.Batch.Seq, b.DeviceId, b.Batch.Records.Count, b.ReceivedAt.ToUnixTimeMilliseconds());
                    if (batchCmd.ExecuteNonQuery() == 0)
                    {
                        outcomes[i] = WriteOutcome.Duplicate;
                        duplicates++;
                        break;
                    }

                    UpsertDevice(deviceCmd, b.DeviceId, b.Site, b.ReceivedAt);
                    replaced += SameMillisecondReadings.CountReplaced(b.Batch.Records);
                    foreach (var r in b.Batch.Records)
                    {
                        if (r.Type == RecordType.Param)
                        {
                            var series = SeriesId(seriesCmd, b.DeviceId, r.Name!, newSeries);
                            if (_keepTimeSeries)
                            {
                                // A later reading of the same signal at the same millisecond replaces the earlier (SameMillisecondReadings).
                                _chunks.Add(series, r.TimestampMs, r.Value);
                            }

                            if (!latest.TryGetValue(series, out var cur) || r.TimestampMs >= cur.TimestampMs)
                            {
                                latest[series] = new SignalPoint(r.TimestampMs, r.Value);
                            }
                        }
                        else if (_keepTimeSeries)
                        {
                            Run(eventCmd, b.DeviceId, r.TimestampMs, r.Code!, (int)r.Severity, (object?)r.Text ?? DBNull.Value);
                            eventCmd.ExecuteNonQuery();
                        }
                    }

                    if (b.Rejected is { } rej)
                    {
                        Run(quarantineCmd, rej.ReceivedAt.ToUnixTimeMilliseconds(), rej.Topic, rej.Reason, rej.Detail, rej.WholePayload ? 1 : 0, rej.RecordsRejected, rej.Payload, rej.TotalBytes, (object?)rej.Sha256 ?? DBNull.Value);
                        quarantineCmd.ExecuteNonQuery();
                        recordsRejected += rej.RecordsRejected;
                        rejected += rej.WholePayload ? 1 : 0;
                    }

                    batches++;
                    records += b.Batch.Records.Count;
                    outcomes[i] = WriteOutcome.Stored;
                    break;

                case NameplateItem n:
                    UpsertDevice(deviceCmd, n.DeviceId, n.Site, n.ReceivedAt);
                    Run(nameplateCmd, n.Nameplate.Modality.ToWire(), n.Nameplate.Vendor, n.Nameplate.Model, Db(n.Nameplate.Serial), Db(n.Nameplate.Installed), Db(n.Nameplate.Software), n.DeviceId);
                    nameplateCmd.ExecuteNonQuery();
                    nameplates++;
                    outcomes[i] = WriteOutcome.Stored;
                    break;

                case StatusItem s:
                    UpsertDevice(deviceCmd, s.DeviceId, s.Site, s.ReceivedAt);
                    Run(statusCmd, s.Status.Online ? 1 : 0, s.ReceivedAt.ToUnixTimeMilliseconds(), s.DeviceId);
                    statusCmd.ExecuteNonQuery();
                    statuses++;
                    outcomes[i] = WriteOutcome.Stored;
                    break;

                case MaintenanceItem m:
                    UpsertDevice(deviceCmd, m.DeviceId, m.Site, m.ReceivedAt);
                    if (_keepTimeSeries)
                    {
                        Run(maintenanceCmd, m.DeviceId, m.Record.TimestampMs, m.Record.Component, m.Record.Action.ToWire(), Db(m.Record.Text), Db(m.Record.Engineer));
                        maintenanceCmd.ExecuteNonQuery();
                    }

                    maintenance++;
                    outcomes[i] = WriteOutcome.Stored;
                    break;

                case QuarantineItem q:
                    Run(quarantineCmd, q.ReceivedAt.ToUnixTimeMilliseconds(), q.Topic, q.Reason, q.Detail, q.WholePayload ? 1 : 0, q.RecordsRejected, q.Payload, q.TotalBytes, (object?)q.Sha256 ?? DBNull.Value);
                    quarantineCmd.ExecuteNonQuery();
                    if (q.WholePayload)
                    {
                        rejected++;
                    }

                    recordsRejected += q.RecordsRejected;
                    outcomes[i] = WriteOutcome.Quarantined;
                    break;

                default:
                    throw new ArgumentException($"unknown ingest item {items[i].GetType().Name}", nameof(items));
            }
        }

        _chunks.Flush(tx);
        foreach (var (series, point) in latest)
        {
            Run(latestCmd, series, point.TimestampMs, point.Value);
            latestCmd.ExecuteNonQuery();
        }

        AddCounters(tx, ("batches_accepted", batches), ("records_accepted", records), ("duplicates_dropped", duplicates),
            ("payloads_rejected", rejected), ("records_rejected", recordsRejected), ("nameplates", nameplates), ("statuses", statuses), ("maintenance", maintenance), ("readings_replaced", replaced));
        tx.Commit();
        return outcomes;
    }

    private static void UpsertDevice(SqliteCommand cmd, string device, string site, DateTimeOffset receivedAt)
    {
        Run(cmd, device, site, receivedAt.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }

    private long SeriesId(SqliteCommand cmd, string device, string signal, List<(string, string)> newSeries)
    {
        if (_seriesIds.TryGetValue((device, signal), out var id))
        {
            return id;
        }

        Run(cmd, device, signal);
        id = Convert.ToInt64(cmd.ExecuteScalar());
        _seriesIds[(device, signal)] = id;
        newSeries.Add((device, signal));
        return id;
    }

    private void AddCounters(SqliteTransaction tx, params (string Name, long Delta)[] deltas)
    {
        using var cmd = Command(tx, "INSERT INTO counters (name, value) VALUES ($n, $v) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value", "$n", "$v");
        foreach (var (name, delta) in deltas)
        {
            if (delta != 0)
            {
                Run(cmd, name, delta);
                cmd.ExecuteNonQuery();
            }
        }
    }

    public Task<IReadOnlyList<SignalPoint>> QuerySignalAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        var list = new List<SignalPoint>();
        if (limit > 0 && FindSeries(c, deviceId, signal) is { } series)
        {
            ChunkTable.Scan(c, series, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), (ts, v) =>
            {
                list.Add(new SignalPoint(ts, v));
                return list.Count < limit;
            });
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<SignalPoint>>(list);
    }

    public Task<SignalBuckets> QuerySignalBucketsAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var f = from.ToUnixTimeMilliseconds();
        var span = Math.Max(1, to.ToUnixTimeMilliseconds() - f);
        var width = Math.Max(1, (span + buckets - 1) / buckets);
        using var c = OpenReader();
        // A chunk that falls inside one bucket is counted from its summary, without decoding it.
        var list = FindSeries(c, deviceId, signal) is { } series ? ChunkTable.Buckets(c, series, f, to.ToUnixTimeMilliseconds(), width) : [];
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new SignalBuckets(width, list));
    }

    private static long? FindSeries(SqliteConnection c, string deviceId, string signal)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id FROM series WHERE device = $d AND signal = $g";
        cmd.Parameters.AddWithValue("$d", deviceId);
        cmd.Parameters.AddWithValue("$g", signal);
        return cmd.ExecuteScalar() is long id ? id : null;
    }

    public Task<IReadOnlyList<StoredEvent>> QueryEventsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT ts, code, severity, text FROM events WHERE device = $d AND ts >= $f AND ts < $t ORDER BY ts, rowid LIMIT $l";
        cmd.Parameters.AddWithValue("$d", deviceId);
        cmd.Parameters.AddWithValue("$f", from.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$t", to.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$l", limit);
        var list = new List<StoredEvent>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            list.Add(new StoredEvent(r.GetInt64(0), r.GetString(1), (Severity)r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3)));
        }

        return Task.FromResult<IReadOnlyList<StoredEvent>>(list);
    }

    public Task<IReadOnlyList<MaintenanceRecord>> QueryMaintenanceAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT ts, component, action, text, engineer FROM maintenance WHERE device = $d AND ts >= $f AND ts < $t ORDER BY ts LIMIT $l";
        cmd.Parameters.AddWithValue("$d", deviceId);
        cmd.Parameters.AddWithValue("$f", from.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$t", to.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$l", limit);
        var list = new List<MaintenanceRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            MaintenanceActionNames.TryParse(r.GetString(2), out var action);
            list.Add(new MaintenanceRecord(r.GetInt64(0), r.GetString(1), action, Str(r, 3), Str(r, 4)));
        }

        return Task.FromResult<IReadOnlyList<MaintenanceRecord>>(list);
    }

    public Task<IReadOnlyList<LogRecord>> QueryRecordsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        var list = new List<LogRecord>();
        var series = new List<(long Id, string Signal)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, signal FROM series WHERE device = $d ORDER BY id";
            cmd.Parameters.AddWithValue("$d", deviceId);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                series.Add((r.GetInt64(0), r.GetString(1)));
            }
        }

        foreach (var (id, name) in series)
        {
            ChunkTable.Scan(c, id, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), (ts, v) =>
            {
                list.Add(LogRecord.Param(ts, name, v));
                return true;
            });
        }

        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT ts, code, severity, text FROM events WHERE device = $d AND ts >= $f AND ts < $t";
            cmd.Parameters.AddWithValue("$d", deviceId);
            cmd.Parameters.AddWithValue("$f", from.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$t", to.ToUnixTimeMilliseconds());
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(LogRecord.Event(r.GetInt64(0), r.GetString(1), (Severity)r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3)));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        list.Sort((a, b) => a.TimestampMs.CompareTo(b.TimestampMs));
        return Task.FromResult<IReadOnlyList<LogRecord>>(list);
    }

    public Task<IReadOnlyList<DeviceSnapshot>> LoadDevicesAsync(CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        var latest = new Dictionary<string, Dictionary<string, SignalReading>>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT s.device, s.signal, l.ts, l.value FROM latest l JOIN series s ON s.id = l.series";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!latest.TryGetValue(r.GetString(0), out var map))
                {
                    latest[r.GetString(0)] = map = new Dictionary<string, SignalReading>(StringComparer.Ordinal);
                }

                map[r.GetString(1)] = new SignalReading(r.GetInt64(2), r.GetDouble(3));
            }
        }

        var list = new List<DeviceSnapshot>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT device, site, modality, vendor, model, serial, installed, software, online, status_at, last_received_at FROM devices ORDER BY device";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                Nameplate? nameplate = null;
                if (!r.IsDBNull(2) && ModalityNames.TryParse(r.GetString(2), out var modality))
                {
                    nameplate = new Nameplate(modality, Str(r, 3) ?? "", Str(r, 4) ?? "", Str(r, 5), Str(r, 6), Str(r, 7));
                }

                var device = r.GetString(0);
                list.Add(new DeviceSnapshot(
                    device,
                    r.GetString(1),
                    nameplate,
                    r.IsDBNull(8) ? null : r.GetInt64(8) == 1,
                    r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
                    r.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
                    latest.TryGetValue(device, out var map) ? map : new Dictionary<string, SignalReading>()));
            }
        }

        return Task.FromResult<IReadOnlyList<DeviceSnapshot>>(list);
    }

    public Task<IReadOnlyList<QuarantineEntry>> QueryQuarantineAsync(int limit, long? beforeId, CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, received_at, topic, reason, detail, whole, records_rejected, payload, payload_bytes, sha256 FROM quarantine WHERE id < $b ORDER BY id DESC LIMIT $l";
        cmd.Parameters.AddWithValue("$l", limit);
        cmd.Parameters.AddWithValue("$b", beforeId ?? long.MaxValue);
        var list = new List<QuarantineEntry>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new QuarantineEntry(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5) == 1, r.GetInt32(6), (byte[])r.GetValue(7),
                r.IsDBNull(8) ? ((byte[])r.GetValue(7)).Length : r.GetInt64(8), r.IsDBNull(9) ? null : r.GetString(9)));
        }

        return Task.FromResult<IReadOnlyList<QuarantineEntry>>(list);
    }

    public Task<IngestCounters> GetCountersAsync(CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name, value FROM counters";
        var map = new Dictionary<string, long>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            map[r.GetString(0)] = r.GetInt64(1);
        }

        long Get(string n) => map.GetValueOrDefault(n);
        return Task.FromResult(new IngestCounters(Get("batches_accepted"), Get("records_accepted"), Get("duplicates_dropped"), Get("payloads_rejected"), Get("records_rejected"), Get("nameplates"), Get("statuses"), Get("maintenance"), Get("readings_replaced")));
    }

    public Task<IReadOnlyList<IngestPosition>> GetPositionsAsync(CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT source, max(seq), count(*), max(received_at) FROM ingest_batches GROUP BY source ORDER BY source";
        var list = new List<IngestPosition>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new IngestPosition(r.GetString(0), r.GetInt64(1), r.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))));
        }

        return Task.FromResult<IReadOnlyList<IngestPosition>>(list);
    }

    public async Task SaveAlertsAsync(IReadOnlyList<StoredAlert> alerts, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _writer.BeginTransaction();
            using var cmd = Command(tx, "INSERT OR REPLACE INTO alerts (id, device, state, opened_ms, updated_ms, json) VALUES ($i, $d, $s, $o, $u, $j)", "$i", "$d", "$s", "$o", "$u", "$j");
            foreach (var a in alerts)
            {
                Run(cmd, a.Id, a.DeviceId, a.State, a.OpenedMs, a.UpdatedMs, a.Json);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<StoredAlert>> LoadAlertsAsync(CancellationToken cancellationToken)
    {
        using var c = OpenReader();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, device, state, opened_ms, updated_ms, json FROM alerts ORDER BY opened_ms, id";
        var list = new List<StoredAlert>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new StoredAlert(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetString(5)));
        }

        return Task.FromResult<IReadOnlyList<StoredAlert>>(list);
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var c = OpenReader();
            return Task.FromResult(Convert.ToInt64(Scalar(c, "SELECT 1")) == 1);
        }
        catch (SqliteException)
        {
            return Task.FromResult(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer.State != System.Data.ConnectionState.Open)
            {
                // Disposed already (the host disposes the store once per interface it is registered as).
                return;
            }

            // A stopped store is compact: the open chunks of each series and day are sealed.
            using (var tx = _writer.BeginTransaction())
            {
                _chunks.SealAll(tx);
                tx.Commit();
            }

            _writer.Dispose();
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static long TelemetryRows(SqliteConnection c) =>
        Convert.ToInt64(Scalar(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'telemetry'")) == 0
            ? 0
            : Convert.ToInt64(Scalar(c, "SELECT count(*) FROM (SELECT 1 FROM telemetry LIMIT 1)"));

    private SqliteConnection OpenReader()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    private static SqliteCommand Command(SqliteTransaction tx, string sql, params string[] parameters)
    {
        var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static object Db(string? value) => (object?)value ?? DBNull.Value;

    private static string? Str(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
