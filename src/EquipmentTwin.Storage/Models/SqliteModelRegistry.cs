using System.Text.Json;
using EquipmentTwin.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Models;

/// <summary>
/// The model registry as a table of its own (<c>models</c>) in the SQLite metadata database beside the
/// telemetry (<c>twin.db</c>); it touches no other table. Changes run in one transaction under a write lock,
/// so a kind never has two champions.
/// </summary>
public sealed class SqliteModelRegistry : SqliteMetadataStore, IModelRegistry
{
    private const string Columns = "kind, version, state, reason, source, from_ms, to_ms, seeds, validation, artifact, created_ms, changed_ms, changed_by, promoted_ms";
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS models (
            kind TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL, source TEXT NOT NULL,
            from_ms INTEGER, to_ms INTEGER, seeds TEXT NOT NULL, validation TEXT NOT NULL, artifact TEXT,
            created_ms INTEGER NOT NULL, changed_ms INTEGER NOT NULL, changed_by TEXT NOT NULL, promoted_ms INTEGER,
            PRIMARY KEY (kind, version));
        """;

    public SqliteModelRegistry(string databasePath)
        : base(databasePath, Schema)
    {
    }

    public Task<IReadOnlyList<ModelRecord>> ListAsync(string? kind, CancellationToken cancellationToken)
    {
        using var c = Open();
        IReadOnlyList<ModelRecord> list = kind is null
            ? Query(c, null, "ORDER BY kind, version DESC")
            : Query(c, null, "WHERE kind = $k ORDER BY version DESC", ("$k", kind));
        return Task.FromResult(list);
    }

    public Task<ModelRecord?> FindAsync(string kind, int version, CancellationToken cancellationToken)
    {
        using var c = Open();
        return Task.FromResult(Find(c, null, kind, version));
    }

    public Task<ModelRecord?> ChampionAsync(string kind, CancellationToken cancellationToken)
    {
        using var c = Open();
        return Task.FromResult(Query(c, null, "WHERE kind = $k AND state = 'champion'", ("$k", kind)).FirstOrDefault());
    }

    public Task<ModelRecord> RegisterAsync(ModelRecord record, CancellationToken cancellationToken) =>
        WriteAsync(cancellationToken, (c, tx) =>
        {
            if (Find(c, tx, record.Kind, record.Version) is { } existing)
            {
                return existing;
            }

            if (record.State == ModelState.Champion && Champion(c, tx, record.Kind) is { } champion)
            {
                Update(c, tx, champion with { State = ModelState.Retired, Reason = $"replaced by v{record.Version}", ChangedAt = record.ChangedAt, ChangedBy = record.ChangedBy });
            }

            Insert(c, tx, record.State == ModelState.Champion && record.PromotedAt is null ? record with { PromotedAt = record.ChangedAt } : record);
            return Find(c, tx, record.Kind, record.Version)!;
        });

    public Task<ModelRecord> PromoteAsync(string kind, int version, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(cancellationToken, (c, tx) =>
        {
            var target = Find(c, tx, kind, version) ?? throw new ModelRegistryException($"model {kind}/{version} is not known", notFound: true);
            if (target.State == ModelState.Champion)
            {
                throw new ModelRegistryException($"model {kind}/{version} is already the champion", notFound: false);
            }

            if (Champion(c, tx, kind) is { } champion)
            {
                Update(c, tx, champion with { State = ModelState.Retired, Reason = $"replaced by v{version}: {reason}", ChangedAt = now, ChangedBy = actor });
            }

            var promoted = target with { State = ModelState.Champion, Reason = reason, ChangedAt = now, ChangedBy = actor, PromotedAt = now };
            Update(c, tx, promoted);
            return promoted;
        });

    public Task<(ModelRecord Retired, ModelRecord Restored)?> RollbackAsync(string kind, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync<(ModelRecord, ModelRecord)?>(cancellationToken, (c, tx) =>
        {
            var champion = Champion(c, tx, kind) ?? throw new ModelRegistryException($"kind '{kind}' has no champion to roll back", notFound: true);
            var previous = Query(c, tx, "WHERE kind = $k AND state != 'champion' AND promoted_ms IS NOT NULL AND promoted_ms <= $p ORDER BY promoted_ms DESC, version DESC LIMIT 1",
                ("$k", kind), ("$p", (champion.PromotedAt ?? now).ToUnixTimeMilliseconds())).FirstOrDefault();
            if (previous is null)
            {
                return null;
            }

            var retired = champion with { State = ModelState.Retired, Reason = $"rolled back to v{previous.Version}: {reason}", ChangedAt = now, ChangedBy = actor };
            // The restored champion keeps its first promotion time, so a second rollback goes further back, not forth.
            var restored = previous with { State = ModelState.Champion, Reason = $"restored by rollback of v{champion.Version}: {reason}", ChangedAt = now, ChangedBy = actor };
            Update(c, tx, retired);
            Update(c, tx, restored);
            return (retired, restored);
        });

    public Task<ModelRecord> SetStateAsync(string kind, int version, ModelState state, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(cancellationToken, (c, tx) =>
        {
            if (state == ModelState.Champion)
            {
                throw new ArgumentException("use PromoteAsync to make a champion", nameof(state));
            }

            var target = Find(c, tx, kind, version) ?? throw new ModelRegistryException($"model {kind}/{version} is not known", notFound: true);
            if (target.State == ModelState.Champion)
            {
                throw new ModelRegistryException($"model {kind}/{version} is the champion: promote another version or roll back instead", notFound: false);
            }

            var changed = target with { State = state, Reason = reason, ChangedAt = now, ChangedBy = actor };
            Update(c, tx, changed);
            return changed;
        });

    private async Task<T> WriteAsync<T>(CancellationToken ct, Func<SqliteConnection, SqliteTransaction, T> work)
    {
        await WriteLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            var result = work(c, tx);
            tx.Commit();
            return result;
        }
        finally
        {
            WriteLock.Release();
        }
    }

    private static ModelRecord? Find(SqliteConnection c, SqliteTransaction? tx, string kind, int version) =>
        Query(c, tx, "WHERE kind = $k AND version = $v", ("$k", kind), ("$v", version)).FirstOrDefault();

    private static ModelRecord? Champion(SqliteConnection c, SqliteTransaction? tx, string kind) =>
        Query(c, tx, "WHERE kind = $k AND state = 'champion'", ("$k", kind)).FirstOrDefault();

    private static void Insert(SqliteConnection c, SqliteTransaction tx, ModelRecord r) =>
        Execute(c, tx, $"INSERT INTO models ({Columns}) VALUES ($k, $v, $s, $r, $src, $f, $t, $seeds, $val, $a, $cr, $ch, $by, $p)", r);

    private static void Update(SqliteConnection c, SqliteTransaction tx, ModelRecord r) =>
        Execute(c, tx, "UPDATE models SET state = $s, reason = $r, changed_ms = $ch, changed_by = $by, promoted_ms = $p WHERE kind = $k AND version = $v", r);

    private static void Execute(SqliteConnection c, SqliteTransaction tx, string sql, ModelRecord r)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$k", r.Kind);
        cmd.Parameters.AddWithValue("$v", r.Version);
        cmd.Parameters.AddWithValue("$s", r.State.ToWire());
        cmd.Parameters.AddWithValue("$r", r.Reason);
        cmd.Parameters.AddWithValue("$src", r.Source);
        cmd.Parameters.AddWithValue("$f", (object?)r.TrainedFromMs ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$t", (object?)r.TrainedToMs ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$seeds", JsonSerializer.Serialize(r.Seeds));
        cmd.Parameters.AddWithValue("$val", JsonSerializer.Serialize(r.Validation));
        cmd.Parameters.AddWithValue("$a", (object?)r.Artifact ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$cr", r.CreatedAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$ch", r.ChangedAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$by", r.ChangedBy);
        cmd.Parameters.AddWithValue("$p", (object?)r.PromotedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    private static List<ModelRecord> Query(SqliteConnection c, SqliteTransaction? tx, string tail, params (string Name, object Value)[] parameters)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {Columns} FROM models {tail}";
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        var list = new List<ModelRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            ModelStateNames.TryParse(r.GetString(2), out var state);
            list.Add(new ModelRecord
            {
                Kind = r.GetString(0),
                Version = r.GetInt32(1),
                State = state,
                Reason = r.GetString(3),
                Source = r.GetString(4),
                TrainedFromMs = r.IsDBNull(5) ? null : r.GetInt64(5),
                TrainedToMs = r.IsDBNull(6) ? null : r.GetInt64(6),
                Seeds = JsonSerializer.Deserialize<int[]>(r.GetString(7)) ?? [],
                Validation = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(8)) ?? new Dictionary<string, double>(),
                Artifact = r.IsDBNull(9) ? null : r.GetString(9),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
                ChangedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
                ChangedBy = r.GetString(12),
                PromotedAt = r.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(13)),
            });
        }

        return list;
    }
}
