using System.Buffers;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EquipmentTwin.Storage.Sqlite;

/// <summary>
/// Telemetry as compressed chunks in one SQLite table. Every chunk holds readings of one series within one
/// UTC day (the partition), sorted by event time, with its summary (count, min, max, sum, first, last) in
/// columns beside the <see cref="ChunkCodec"/> blob. A write appends one small "open" chunk per series and
/// day it touches, in the writer's transaction, so nothing acknowledged lives only in memory; once a
/// (series, day) has <see cref="SealedReadings"/> open readings or <see cref="MaxOpenChunks"/> open chunks,
/// the same transaction merges them into sealed chunks of up to <see cref="SealedReadings"/> readings.
/// Two readings of a series at the same millisecond: the one stored last wins (<c>SameMillisecondReadings</c>):
/// within a write the later record, across writes the later chunk (higher id; sealed chunks are older than
/// every open one, because sealing takes all open chunks of the day).
/// </summary>
internal sealed class ChunkTable
{
    public const long PartitionMs = 86_400_000;
    public const int SealedReadings = 256;

    /// <summary>Open readings of a (series, day) that make the write seal it.</summary>
    public const int SealAfterReadings = 1024;
    public const int MaxOpenChunks = 16;

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS chunks (
            id INTEGER PRIMARY KEY, series INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL,
            vmin REAL NOT NULL, vmax REAL NOT NULL, vsum REAL NOT NULL, vfirst REAL NOT NULL, vlast REAL NOT NULL,
            sealed INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS chunks_series_t0 ON chunks (series, t0);
        """;

    private const string Columns = "id, series, t0, t1, n, vmin, vmax, vsum, vfirst, vlast, sealed, data";

    private readonly Dictionary<(long Series, long Partition), (int Chunks, int Readings)> _open = new();
    private readonly Dictionary<long, PointBuffer> _pending = new();

    /// <summary>Rebuilds the count of open chunks per (series, day) from the table (at start and after a failed write).</summary>
    public void LoadOpen(SqliteConnection c)
    {
        _open.Clear();
        _pending.Clear();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT series, t0 - ((t0 % {PartitionMs}) + {PartitionMs}) % {PartitionMs}, count(*), sum(n) FROM chunks WHERE sealed = 0 GROUP BY 1, 2";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            _open[(r.GetInt64(0), Partition(r.GetInt64(1)))] = (r.GetInt32(2), r.GetInt32(3));
        }
    }

    /// <summary>Queues one reading of the current write.</summary>
    public void Add(long series, long ts, double value)
    {
        if (!_pending.TryGetValue(series, out var buffer))
        {
            _pending[series] = buffer = new PointBuffer();
        }

        buffer.Add(ts, value);
    }

    /// <summary>Writes the queued readings as open chunks inside <paramref name="tx"/>, sealing days that are due.</summary>
    public void Flush(SqliteTransaction tx)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        using var insert = InsertCommand(tx);
        List<(long Series, long Partition)>? due = null;
        foreach (var (series, buffer) in _pending)
        {
            if (buffer.Count == 0)
            {
                continue;
            }

            var (ts, vs) = buffer.SortedLastWins();
            var start = 0;
            while (start < ts.Length)
            {
                var partition = Partition(ts[start]);
                var end = start + 1;
                while (end < ts.Length && Partition(ts[end]) == partition)
                {
                    end++;
                }

                Insert(insert, series, ts.AsSpan(start, end - start), vs.AsSpan(start, end - start), isSealed: false);
                var open = _open.GetValueOrDefault((series, partition));
                open = (open.Chunks + 1, open.Readings + end - start);
                _open[(series, partition)] = open;
                if (open.Readings >= SealAfterReadings || open.Chunks >= MaxOpenChunks)
                {
                    (due ??= []).Add((series, partition));
                }

                start = end;
            }

            buffer.Clear();
        }

        foreach (var (series, partition) in due ?? [])
        {
            Seal(tx, insert, series, partition);
        }

        if (_pending.Count > 4096)
        {
            _pending.Clear();
        }
    }

    /// <summary>Forgets readings queued by a write that failed.</summary>
    public void Discard()
    {
        foreach (var b in _pending.Values)
        {
            b.Clear();
        }
    }

    /// <summary>Seals every (series, day) that has more than one open chunk (on close, so a stopped store is compact).</summary>
    public int SealAll(SqliteTransaction tx)
    {
        using var insert = InsertCommand(tx);
        var due = _open.Where(kv => kv.Value.Chunks > 1).Select(kv => kv.Key).ToList();
        foreach (var (series, partition) in due)
        {
            Seal(tx, insert, series, partition);
        }

        return due.Count;
    }

    /// <summary>
    /// Merges the open chunks of a (series, day) with the sealed chunks they overlap and with the day's last sealed
    /// chunk while it is not full, and writes the result back as sealed chunks of up to <see cref="SealedReadings"/>.
    /// </summary>
    private void Seal(SqliteTransaction tx, SqliteCommand insert, long series, long partition)
    {
        var lo = partition * PartitionMs;
        var open = ReadDay(tx, series, lo, "sealed = 0", long.MinValue);
        _open.Remove((series, partition));
        if (open.Count == 0)
        {
            return;
        }

        var openFrom = open.Min(r => r.T0);
        // Only the sealed chunks the merge can take: those reaching past the first open reading, and the day's last.
        var sealedRows = ReadDay(tx, series, lo, "sealed = 1 AND (t1 >= $from OR id = (SELECT id FROM chunks WHERE series = $s AND t0 >= $lo AND t0 < $hi AND sealed = 1 ORDER BY t0 DESC, id LIMIT 1))", openFrom);
        var lastSealed = sealedRows.Count > 0 ? sealedRows.MaxBy(r => r.T0) : null;
        var take = sealedRows.Where(r => r.T1 >= openFrom || (r == lastSealed && r.Count < SealedReadings)).ToList();
        take.AddRange(open);
        var (ts, vs) = Merge(take);

        using (var delete = tx.Connection!.CreateCommand())
        {
            delete.Transaction = tx;
            delete.CommandText = $"DELETE FROM chunks WHERE id IN ({string.Join(",", take.Select(r => r.Id))})";
            delete.ExecuteNonQuery();
        }

        for (var i = 0; i < ts.Length; i += SealedReadings)
        {
            var len = Math.Min(SealedReadings, ts.Length - i);
            Insert(insert, series, ts.AsSpan(i, len), vs.AsSpan(i, len), isSealed: true);
        }
    }

    private static List<ChunkRow> ReadDay(SqliteTransaction tx, long series, long lo, string condition, long from)
    {
        using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {Columns} FROM chunks WHERE series = $s AND t0 >= $lo AND t0 < $hi AND {condition} ORDER BY t0, id";
        cmd.Parameters.AddWithValue("$s", series);
        cmd.Parameters.AddWithValue("$lo", lo);
        cmd.Parameters.AddWithValue("$hi", lo + PartitionMs);
        cmd.Parameters.AddWithValue("$from", from);
        var list = new List<ChunkRow>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new ChunkRow(r.GetInt64(0), r.GetInt64(2), r.GetInt64(3), r.GetInt32(4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7), r.GetInt64(10) == 1, r.GetFieldValue<byte[]>(11)));
        }

        return list;
    }

    internal static SqliteCommand InsertCommand(SqliteTransaction tx)
    {
        var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO chunks (series, t0, t1, n, vmin, vmax, vsum, vfirst, vlast, sealed, data) VALUES ($s, $t0, $t1, $n, $mn, $mx, $sm, $f, $l, $se, $d)";
        foreach (var p in new[] { "$s", "$t0", "$t1", "$n", "$mn", "$mx", "$sm", "$f", "$l", "$se", "$d" })
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        cmd.Prepare();
        return cmd;
    }

    internal static void Insert(SqliteCommand cmd, long series, ReadOnlySpan<long> ts, ReadOnlySpan<double> vs, bool isSealed)
    {
        double min = vs[0], max = vs[0], sum = 0;
        foreach (var v in vs)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }

        var p = cmd.Parameters;
        p[0].Value = series;
        p[1].Value = ts[0];
        p[2].Value = ts[^1];
        p[3].Value = ts.Length;
        p[4].Value = min;
        p[5].Value = max;
        p[6].Value = sum;
        p[7].Value = vs[0];
        p[8].Value = vs[^1];
        p[9].Value = isSealed ? 1 : 0;
        p[10].Value = ChunkCodec.Encode(ts, vs);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The chunks of a series that may hold readings in [from, to), ordered by start time.</summary>
    public static List<ChunkRow> Read(SqliteConnection c, SqliteTransaction? tx, long series, long from, long to, long t1AtLeast)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        // Every chunk lies within one day, so one that reaches into [from, to) starts no earlier than from's day.
        cmd.CommandText = $"SELECT {Columns} FROM chunks WHERE series = $s AND t0 >= $lo AND t0 < $to AND t1 >= $from ORDER BY t0, id";
        cmd.Parameters.AddWithValue("$s", series);
        cmd.Parameters.AddWithValue("$lo", Partition(from) * PartitionMs);
        cmd.Parameters.AddWithValue("$to", to);
        cmd.Parameters.AddWithValue("$from", Math.Max(from, t1AtLeast));
        var list = new List<ChunkRow>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new ChunkRow(r.GetInt64(0), r.GetInt64(2), r.GetInt64(3), r.GetInt32(4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7), r.GetInt64(10) == 1, r.GetFieldValue<byte[]>(11)));
        }

        return list;
    }

    /// <summary>Visits the readings of a series in [from, to) in time order, one day at a time.</summary>
    public static void Scan(SqliteConnection c, long series, long from, long to, Func<long, double, bool> visit)
    {
        var rows = Read(c, null, series, from, to, long.MinValue);
        foreach (var group in Days(rows))
        {
            if (Disjoint(group))
            {
                foreach (var row in group)
                {
                    var (ts, vs) = Decode(row);
                    for (var i = 0; i < ts.Length; i++)
                    {
                        if (ts[i] >= from && ts[i] < to && !visit(ts[i], vs[i]))
                        {
                            return;
                        }
                    }
                }
            }
            else
            {
                var (ts, vs) = Merge(group);
                for (var i = 0; i < ts.Length; i++)
                {
                    if (ts[i] >= from && ts[i] < to && !visit(ts[i], vs[i]))
                    {
                        return;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Min, max, sum and count per bucket of <paramref name="width"/> ms from <paramref name="from"/>, in bucket order
    /// (buckets without readings are left out). A chunk that falls in one bucket is counted from its summary columns
    /// and its blob is not even read out of SQLite; the others are decoded and walked in time order, so a bucket is
    /// looked up once per run of readings, not per reading. The rows are read one day at a time into reused buffers
    /// (blobs copied from SQLite's own memory into a pooled array, decoded into pooled arrays, buckets in pooled
    /// arrays): the query allocates its answer and little else.
    /// </summary>
    public static List<SignalBucket> Buckets(SqliteConnection c, long series, long from, long to, long width)
    {
        var count = checked((int)Math.Max(1, ((to - from) + width - 1) / width));
        using var buckets = new BucketArrays(count);
        var day = new DayBuffer();
        var ts = ArrayPool<long>.Shared.Rent(SealedReadings);
        var vs = ArrayPool<double>.Shared.Rent(SealedReadings);
        try
        {
            // The rows are stepped through SQLitePCL directly: Microsoft.Data.Sqlite's reader costs a few microseconds
            // per row (type checks per column, a copied byte[] per blob), several times SQLite's own cost here.
            var db = c.Handle ?? throw new InvalidOperationException("the connection is not open");
            // Microsoft.Data.Sqlite retries a busy step itself; stepping directly, SQLite's own busy handler waits instead.
            Check(db, raw.sqlite3_busy_timeout(db, c.DefaultTimeout * 1000));
            Check(db, raw.sqlite3_prepare_v2(db, BucketSql, out var stmt));
            using var _ = stmt;
            Check(db, raw.sqlite3_bind_int64(stmt, 1, series));
            Check(db, raw.sqlite3_bind_int64(stmt, 2, Partition(from) * PartitionMs));
            Check(db, raw.sqlite3_bind_int64(stmt, 3, to));
            Check(db, raw.sqlite3_bind_int64(stmt, 4, from));
            Check(db, raw.sqlite3_bind_int64(stmt, 5, width));
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                var t0 = raw.sqlite3_column_int64(stmt, 0);
                if (day.Rows.Count > 0 && Partition(t0) != day.Partition)
                {
                    AddDay(c, series, day, buckets, from, to, width, ref ts, ref vs);
                }

                day.Partition = Partition(t0);
                // A NULL blob comes back empty; an encoded chunk never is.
                var blob = raw.sqlite3_column_blob(stmt, 5);
                var offset = day.Reserve(blob.Length);
                blob.CopyTo(day.Blobs.AsSpan(offset));
                day.Rows.Add(new SummaryRow(
                    t0, raw.sqlite3_column_int64(stmt, 1), raw.sqlite3_column_int(stmt, 2), raw.sqlite3_column_double(stmt, 3),
                    raw.sqlite3_column_double(stmt, 4), raw.sqlite3_column_double(stmt, 6), offset, blob.Length));
            }

            Check(db, rc);
            if (day.Rows.Count > 0)
            {
                AddDay(c, series, day, buckets, from, to, width, ref ts, ref vs);
            }

            return buckets.ToList(from, width);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ts);
            ArrayPool<double>.Shared.Return(vs);
            day.Dispose();
        }
    }

    /// <summary>The chunks of a bucket query, with the blob only where a chunk crosses a bucket edge or an end of the range.</summary>
    private const string BucketSql = "SELECT t0, t1, n, vmin, vmax, " +
        "CASE WHEN t0 >= ?4 AND t1 < ?3 AND (t0 - ?4) / ?5 = (t1 - ?4) / ?5 THEN NULL ELSE data END, vsum " +
        "FROM chunks WHERE series = ?1 AND t0 >= ?2 AND t0 < ?3 AND t1 >= ?4 ORDER BY t0, id";

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    /// <summary>Adds one day's chunks to the buckets; a day whose chunks overlap (open chunks) is merged first.</summary>
    private static void AddDay(SqliteConnection c, long series, DayBuffer day, BucketArrays buckets, long from, long to, long width, ref long[] ts, ref double[] vs)
    {
        var rows = day.Rows;
        var disjoint = true;
        for (var i = 1; i < rows.Count && disjoint; i++)
        {
            disjoint = rows[i].T0 > rows[i - 1].T1;
        }

        if (!disjoint)
        {
            // Overlapping (open) chunks are merged in write order, which takes every blob of the day: rare, not pooled.
            // Read on the same connection while the day's statement is open, so from the same snapshot.
            var dayFrom = Math.Max(from, day.Partition * PartitionMs);
            var (mts, mvs) = Merge(Read(c, null, series, dayFrom, Math.Min(to, (day.Partition + 1) * PartitionMs), long.MinValue));
            buckets.AddRun(mts, mvs, from, to, width);
            day.Clear();
            return;
        }

        foreach (var row in rows)
        {
            if (row.BlobLength == 0)
            {
                // The query leaves the blob out exactly when the chunk lies inside one bucket of the range.
                buckets.Add((row.T0 - from) / width, row.Min, row.Max, row.Sum, row.Count);
                continue;
            }

            var data = day.Blobs.AsSpan(row.BlobOffset, row.BlobLength);
            var n = ChunkCodec.Count(data);
            if (n > ts.Length)
            {
                ArrayPool<long>.Shared.Return(ts);
                ArrayPool<double>.Shared.Return(vs);
                ts = ArrayPool<long>.Shared.Rent(n);
                vs = ArrayPool<double>.Shared.Rent(n);
            }

            ChunkCodec.Decode(data, ts, vs);
            buckets.AddRun(ts.AsSpan(0, n), vs.AsSpan(0, n), from, to, width);
        }

        day.Clear();
    }

    private static IEnumerable<List<ChunkRow>> Days(List<ChunkRow> rows)
    {
        var i = 0;
        while (i < rows.Count)
        {
            var day = Partition(rows[i].T0);
            var group = new List<ChunkRow>();
            while (i < rows.Count && Partition(rows[i].T0) == day)
            {
                group.Add(rows[i++]);
            }

            yield return group;
        }
    }

    /// <summary>True when the chunks (ordered by start) do not overlap in time, so each can be read on its own.</summary>
    private static bool Disjoint(List<ChunkRow> group)
    {
        for (var i = 1; i < group.Count; i++)
        {
            if (group[i].T0 <= group[i - 1].T1)
            {
                return false;
            }
        }

        return true;
    }

    private static (long[] Ts, double[] Vs) Decode(ChunkRow row)
    {
        var data = row.Data;
        var n = ChunkCodec.Count(data);
        var ts = new long[n];
        var vs = new double[n];
        ChunkCodec.Decode(data, ts, vs);
        return (ts, vs);
    }

    /// <summary>All readings of the chunks in time order; at the same millisecond the later-stored reading wins.</summary>
    private static (long[] Ts, double[] Vs) Merge(List<ChunkRow> rows)
    {
        var buffer = new PointBuffer();
        // Write order: sealed chunks hold what was stored before any open chunk; open chunks by id.
        foreach (var row in rows.OrderBy(r => r.Sealed ? 0 : 1).ThenBy(r => r.Sealed ? r.T0 : r.Id))
        {
            var (ts, vs) = Decode(row);
            for (var i = 0; i < ts.Length; i++)
            {
                buffer.Add(ts[i], vs[i]);
            }
        }

        return buffer.SortedLastWins();
    }

    internal static long Partition(long ts) => ts >= 0 ? ts / PartitionMs : ((ts + 1) / PartitionMs) - 1;

    /// <summary>One chunk row.</summary>
    internal sealed record ChunkRow(long Id, long T0, long T1, int Count, double Min, double Max, double Sum, bool Sealed, byte[] Data);

    /// <summary>A chunk row's summary columns, and where its blob sits in <see cref="DayBuffer.Blobs"/> (length 0: not read).</summary>
    private readonly record struct SummaryRow(long T0, long T1, int Count, double Min, double Max, double Sum, int BlobOffset, int BlobLength);

    /// <summary>The rows of one day of a bucket query, their blobs back to back in one pooled array.</summary>
    private sealed class DayBuffer : IDisposable
    {
        private int _used;

        public long Partition { get; set; }

        public List<SummaryRow> Rows { get; } = new(512);

        public byte[] Blobs { get; private set; } = ArrayPool<byte>.Shared.Rent(64 * 1024);

        /// <summary>Room for <paramref name="length"/> more bytes; returns where they go.</summary>
        public int Reserve(int length)
        {
            if (_used + length > Blobs.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Blobs.Length * 2, _used + length));
                Blobs.AsSpan(0, _used).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(Blobs);
                Blobs = bigger;
            }

            var offset = _used;
            _used += length;
            return offset;
        }

        public void Clear()
        {
            Rows.Clear();
            _used = 0;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(Blobs);
            Blobs = [];
        }
    }

    /// <summary>Readings in arrival order.</summary>
    private sealed class PointBuffer
    {
        private long[] _ts = new long[64];
        private double[] _vs = new double[64];

        public int Count { get; private set; }

        public void Add(long ts, double v)
        {
            if (Count == _ts.Length)
            {
                Array.Resize(ref _ts, Count * 2);
                Array.Resize(ref _vs, Count * 2);
            }

            _ts[Count] = ts;
            _vs[Count] = v;
            Count++;
        }

        public void Clear() => Count = 0;

        /// <summary>Sorted by time, one reading per millisecond: the last added of equal timestamps.</summary>
        public (long[] Ts, double[] Vs) SortedLastWins()
        {
            var n = Count;
            var sorted = true;
            for (var i = 1; i < n && sorted; i++)
            {
                sorted = _ts[i] > _ts[i - 1];
            }

            if (sorted)
            {
                return (_ts.AsSpan(0, n).ToArray(), _vs.AsSpan(0, n).ToArray());
            }

            var order = new int[n];
            for (var i = 0; i < n; i++)
            {
                order[i] = i;
            }

            var keys = _ts;
            // Stable by arrival: equal timestamps keep their order, so the last of them is the one kept.
            Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
            var ts = new List<long>(n);
            var vs = new List<double>(n);
            foreach (var i in order)
            {
                if (ts.Count > 0 && ts[^1] == _ts[i])
                {
                    vs[^1] = _vs[i];
                }
                else
                {
                    ts.Add(_ts[i]);
                    vs.Add(_vs[i]);
                }
            }

            return (ts.ToArray(), vs.ToArray());
        }
    }
}

/// <summary>Min, max, sum and count per bucket, in pooled arrays (a bucket with count 0 has no readings).</summary>
internal sealed class BucketArrays : IDisposable
{
    private readonly int _count;
    private readonly double[] _min;
    private readonly double[] _max;
    private readonly double[] _sum;
    private readonly long[] _n;

    public BucketArrays(int count)
    {
        _count = count;
        _min = ArrayPool<double>.Shared.Rent(count);
        _max = ArrayPool<double>.Shared.Rent(count);
        _sum = ArrayPool<double>.Shared.Rent(count);
        _n = ArrayPool<long>.Shared.Rent(count);
        _min.AsSpan(0, count).Fill(double.PositiveInfinity);
        _max.AsSpan(0, count).Fill(double.NegativeInfinity);
        _sum.AsSpan(0, count).Clear();
        _n.AsSpan(0, count).Clear();
    }

    /// <summary>Adds a chunk's summary to one bucket.</summary>
    public void Add(long index, double min, double max, double sum, long count)
    {
        _min[index] = Math.Min(_min[index], min);
        _max[index] = Math.Max(_max[index], max);
        _sum[index] += sum;
        _n[index] += count;
    }

    /// <summary>Adds the readings in [from, to) of a time-ordered run, one bucket lookup per run of readings in one bucket.</summary>
    public void AddRun(ReadOnlySpan<long> times, ReadOnlySpan<double> values, long from, long to, long width)
    {
        var i = 0;
        while (i < times.Length && times[i] < from)
        {
            i++;
        }

        while (i < times.Length && times[i] < to)
        {
            var index = (times[i] - from) / width;
            var end = Math.Min(to, from + ((index + 1) * width));
            double min = _min[index], max = _max[index], sum = _sum[index];
            var start = i;
            for (; i < times.Length && times[i] < end; i++)
            {
                var v = values[i];
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                sum += v;
            }

            _min[index] = min;
            _max[index] = max;
            _sum[index] = sum;
            _n[index] += i - start;
        }
    }

    /// <summary>The buckets that hold readings, in order.</summary>
    public List<SignalBucket> ToList(long from, long width)
    {
        var list = new List<SignalBucket>();
        for (var i = 0; i < _count; i++)
        {
            if (_n[i] > 0)
            {
                list.Add(new SignalBucket(from + (i * width), _min[i], _max[i], _sum[i] / _n[i], _n[i]));
            }
        }

        return list;
    }

    public void Dispose()
    {
        ArrayPool<double>.Shared.Return(_min);
        ArrayPool<double>.Shared.Return(_max);
        ArrayPool<double>.Shared.Return(_sum);
        ArrayPool<long>.Shared.Return(_n);
    }
}
