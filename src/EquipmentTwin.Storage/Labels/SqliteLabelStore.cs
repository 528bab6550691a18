using EquipmentTwin.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Labels;

/// <summary>The label set as a table of its own (<c>labels</c>) in the SQLite metadata database (<c>twin.db</c>).</summary>
public sealed class SqliteLabelStore : SqliteMetadataStore, ILabelStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS labels (
            kind TEXT NOT NULL, device TEXT NOT NULL, component TEXT NOT NULL, at_ms INTEGER NOT NULL, until_ms INTEGER,
            alert TEXT NOT NULL, who TEXT NOT NULL, recorded_ms INTEGER NOT NULL, source TEXT NOT NULL, comment TEXT,
            PRIMARY KEY (kind, device, component, at_ms, alert));
        """;

    public SqliteLabelStore(string databasePath)
        : base(databasePath, Schema)
    {
    }

    public async Task<int> AddAsync(IReadOnlyList<Label> labels, CancellationToken cancellationToken)
    {
        if (labels.Count == 0)
        {
            return 0;
        }

        await WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR IGNORE INTO labels (kind, device, component, at_ms, until_ms, alert, who, recorded_ms, source, comment) VALUES ($k, $d, $c, $a, $u, $al, $w, $r, $s, $m)";
            foreach (var name in new[] { "$k", "$d", "$c", "$a", "$u", "$al", "$w", "$r", "$s", "$m" })
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            var added = 0;
            foreach (var l in labels)
            {
                object?[] values = [l.Kind, l.DeviceId, l.Component, l.AtMs, l.UntilMs, l.AlertId ?? "", l.Who, l.RecordedAt.ToUnixTimeMilliseconds(), l.Source, l.Comment];
                for (var i = 0; i < values.Length; i++)
                {
                    cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                added += cmd.ExecuteNonQuery();
            }

            tx.Commit();
            return added;
        }
        finally
        {
            WriteLock.Release();
        }
    }

    public Task<IReadOnlyList<Label>> ListAsync(string? deviceId, CancellationToken cancellationToken)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT kind, device, component, at_ms, until_ms, alert, who, recorded_ms, source, comment FROM labels"
                          + (deviceId is null ? "" : " WHERE device = $d") + " ORDER BY at_ms, device, component, kind";
        if (deviceId is not null)
        {
            cmd.Parameters.AddWithValue("$d", deviceId);
        }

        var list = new List<Label>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new Label(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4),
                r.GetString(5) is { Length: > 0 } a ? a : null, r.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)));
        }

        return Task.FromResult<IReadOnlyList<Label>>(list);
    }
}
