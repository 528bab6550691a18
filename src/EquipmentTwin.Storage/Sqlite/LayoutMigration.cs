using EquipmentTwin.Core.Progress;
using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Sqlite;

/// <summary>What <see cref="LayoutMigration.Run"/> did.</summary>
public sealed record MigrationReport(long Readings, long Series, long Chunks, long BytesBefore, long BytesAfter);

/// <summary>
/// Moves readings from the row-per-reading <c>telemetry</c> table (schema 1–2) into sealed chunks
/// (<see cref="ChunkTable"/>), one series per transaction so an interrupted run resumes where it stopped, then
/// rebuilds the file with 16 KiB pages. Everything else in the database is kept as it is.
/// </summary>
public static class LayoutMigration
{
    public static MigrationReport Run(string dataDir, IJobProgress? progress = null)
    {
        var path = Path.Combine(dataDir, "twin.db");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no store at {path}", path);
        }

        var before = FileBytes(path);
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        long readings = 0, seriesCount = 0, chunks = 0;
        using (var c = new SqliteConnection(cs))
        {
            c.Open();
            Exec(c, "PRAGMA busy_timeout=30000;");
            if (Convert.ToInt64(Scalar(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'telemetry'")) == 0)
            {
                progress?.Step("nothing to migrate: the store already keeps readings in chunks");
                return new MigrationReport(0, 0, 0, before, before);
            }

            Exec(c, ChunkTable.Schema);
            var series = new List<long>();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT DISTINCT series FROM telemetry ORDER BY series";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    series.Add(r.GetInt64(0));
                }
            }

            progress?.Step("moving readings into chunks", series.Count, "series");
            foreach (var id in series)
            {
                using var tx = c.BeginTransaction();
                using var insert = ChunkTable.InsertCommand(tx);
                using var read = c.CreateCommand();
                read.Transaction = tx;
                read.CommandText = "SELECT ts, value FROM telemetry WHERE series = $s ORDER BY ts";
                read.Parameters.AddWithValue("$s", id);
                var ts = new List<long>();
                var vs = new List<double>();
                void Emit()
                {
                    if (ts.Count > 0)
                    {
                        ChunkTable.Insert(insert, id, ts.ToArray(), vs.ToArray(), isSealed: true);
                        chunks++;
                        readings += ts.Count;
                        ts.Clear();
                        vs.Clear();
                    }
                }

                using (var r = read.ExecuteReader())
                {
                    while (r.Read())
                    {
                        var t = r.GetInt64(0);
                        if (ts.Count == ChunkTable.SealedReadings || (ts.Count > 0 && ChunkTable.Partition(t) != ChunkTable.Partition(ts[0])))
                        {
                            Emit();
                        }

                        ts.Add(t);
                        vs.Add(r.GetDouble(1));
                    }
                }

                Emit();
                using (var delete = c.CreateCommand())
                {
                    delete.Transaction = tx;
                    delete.CommandText = "DELETE FROM telemetry WHERE series = $s";
                    delete.Parameters.AddWithValue("$s", id);
                    delete.ExecuteNonQuery();
                }

                tx.Commit();
                seriesCount++;
                progress?.Report(seriesCount);
            }

            Exec(c, "DROP TABLE telemetry;");
            progress?.Step($"{seriesCount} series, {readings:N0} readings in {chunks:N0} chunks; rebuilding the file");
            Exec(c, "PRAGMA journal_mode=DELETE;");
            Exec(c, "PRAGMA page_size=16384;");
            Exec(c, "VACUUM;");
            Exec(c, "PRAGMA journal_mode=WAL;");
        }

        // Opening the store once brings the rest of the schema up to date.
        SqliteTelemetryStore.Open(dataDir).DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new MigrationReport(readings, seriesCount, chunks, before, FileBytes(path));
    }

    private static long FileBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    private static void Exec(SqliteConnection c, string sql) => SqliteTelemetryStore.Execute(c, sql);

    private static object? Scalar(SqliteConnection c, string sql) => SqliteTelemetryStore.Scalar(c, sql);
}
