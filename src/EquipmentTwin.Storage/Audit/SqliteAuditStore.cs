using EquipmentTwin.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Audit;

/// <summary>
/// The audit trail in its own SQLite file (<c>{dataDir}/audit.db</c>, WAL, synchronous=FULL): it is small,
/// append-only and must survive whatever happens to the telemetry layout beside it.
/// </summary>
public sealed class SqliteAuditStore : SqliteMetadataStore, IAuditStore
{
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, alert TEXT NOT NULL, device TEXT NOT NULL, actor TEXT NOT NULL,
            wall_ms INTEGER NOT NULL, event_ms INTEGER NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, comment TEXT);
        CREATE INDEX IF NOT EXISTS audit_alert ON audit (alert, id);
        """;

    private SqliteAuditStore(string path)
        : base(path, Schema)
    {
    }

    /// <summary>Opens (creating if needed) <c>{dataDir}/audit.db</c>.</summary>
    public static SqliteAuditStore Open(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return new SqliteAuditStore(System.IO.Path.Combine(dataDir, "audit.db"));
    }

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var c = Open();
            using var pragma = c.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous=FULL;";
            pragma.ExecuteNonQuery();
            using var tx = c.BeginTransaction();
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO audit (alert, device, actor, wall_ms, event_ms, action, from_state, to_state, comment) VALUES ($a, $d, $u, $w, $e, $x, $f, $t, $c)";
            foreach (var name in new[] { "$a", "$d", "$u", "$w", "$e", "$x", "$f", "$t", "$c" })
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            foreach (var e in entries)
            {
                object?[] values = [e.AlertId, e.DeviceId, e.Actor, e.WallTime.ToUnixTimeMilliseconds(), e.EventTimeMs, e.Action, e.FromState, e.ToState, e.Comment];
                for (var i = 0; i < values.Length; i++)
                {
                    cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
        finally
        {
            WriteLock.Release();
        }
    }

    public Task<IReadOnlyList<AuditEntry>> HistoryAsync(string alertId, CancellationToken cancellationToken) =>
        Task.FromResult(Query("WHERE alert = $a ORDER BY id", ("$a", alertId)));

    public Task<IReadOnlyList<AuditEntry>> RecentAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult(Query("ORDER BY id DESC LIMIT $l", ("$l", limit)));

    private IReadOnlyList<AuditEntry> Query(string tail, params (string Name, object Value)[] parameters)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, alert, device, actor, wall_ms, event_ms, action, from_state, to_state, comment FROM audit " + tail;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        var list = new List<AuditEntry>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new AuditEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetInt64(5),
                r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)));
        }

        return list;
    }
}
