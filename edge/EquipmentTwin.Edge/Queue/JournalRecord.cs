using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EquipmentTwin.Edge.Sources;

namespace EquipmentTwin.Edge.Queue;

/// <summary>What a journal entry holds.</summary>
public enum JournalEntryKind : byte
{
    /// <summary>A logs batch to publish, with the source positions its last lines reached.</summary>
    Batch = 1,

    /// <summary>First entry of every segment: all source positions and the highest seq so far, so older segments can be deleted.</summary>
    Checkpoint = 2,

    /// <summary>Positions only: lines were read but none became a record (all rejected or blank).</summary>
    Positions = 3,
}

/// <summary>
/// One journal entry. On disk: <c>u32 length | u32 crc32(payload) | payload</c>, little-endian, where payload is
/// <c>u8 kind | i64 seq | i64 createdAtMs | str topic | u16 n × (str key, str path, str identity, i64 offset) | i32 bodyLength | body | trailer</c>
/// and <c>str</c> is <c>u16 length | UTF-8</c>. The trailer (<c>u8 version = 1 | n × (str fingerprint, i64 linesRead, i64 linesRejected,
/// i64 bytesLost, i64 losses)</c>, one per position) came later: entries without it read as empty fingerprints and zero counters,
/// and a reader that does not know it ignores it.
/// </summary>
public sealed record JournalRecord(JournalEntryKind Kind, long Seq, long CreatedAtMs, string Topic, IReadOnlyList<SourcePosition> Positions, ReadOnlyMemory<byte> Body)
{
    public const int HeaderBytes = 8;

    /// <summary>Larger lengths are a torn or corrupt header, not an entry.</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    private const byte TrailerVersion = 1;

    public byte[] EncodeFramed()
    {
        var w = new ArrayBufferWriter<byte>(Body.Length + 256);
        w.Advance(HeaderBytes);
        w.GetSpan(1)[0] = (byte)Kind;
        w.Advance(1);
        WriteI64(w, Seq);
        WriteI64(w, CreatedAtMs);
        WriteStr(w, Topic);
        BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), checked((ushort)Positions.Count));
        w.Advance(2);
        foreach (var p in Positions)
        {
            WriteStr(w, p.Key);
            WriteStr(w, p.Path);
            WriteStr(w, p.Identity);
            WriteI64(w, p.Offset);
        }

        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), Body.Length);
        w.Advance(4);
        w.Write(Body.Span);

        w.GetSpan(1)[0] = TrailerVersion;
        w.Advance(1);
        foreach (var p in Positions)
        {
            WriteStr(w, p.Fingerprint);
            WriteI64(w, p.Totals.LinesRead);
            WriteI64(w, p.Totals.LinesRejected);
            WriteI64(w, p.Totals.BytesLost);
            WriteI64(w, p.Totals.Losses);
        }

        var bytes = w.WrittenSpan.ToArray();
        var payload = bytes.AsSpan(HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Crc32.Compute(payload));
        return bytes;
    }

    /// <summary>Reads the framed entry at the start of <paramref name="data"/>; false for a torn or corrupt one.</summary>
    public static bool TryDecodeFramed(ReadOnlySpan<byte> data, out JournalRecord? record, out int framedLength, out string problem)
    {
        record = null;
        framedLength = 0;
        if (data.Length < HeaderBytes)
        {
            problem = "torn header";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length > MaxPayloadBytes || length < 1 + 8 + 8 + 2 + 2 + 4)
        {
            problem = $"bad length {length}";
            return false;
        }

        if (data.Length < HeaderBytes + (int)length)
        {
            problem = "torn payload";
            return false;
        }

        var payload = data.Slice(HeaderBytes, (int)length);
        if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(data[4..]))
        {
            problem = "checksum mismatch";
            return false;
        }

        try
        {
            var r = new SpanReader(payload);
            var kind = (JournalEntryKind)r.U8();
            var seq = r.I64();
            var created = r.I64();
            var topic = r.Str();
            var n = r.U16();
            var positions = new SourcePosition[n];
            for (var i = 0; i < n; i++)
            {
                positions[i] = new SourcePosition(r.Str(), r.Str(), r.Str(), r.I64());
            }

            var bodyLength = r.I32();
            var body = r.Bytes(bodyLength).ToArray();
            if (r.Remaining > 0 && r.U8() == TrailerVersion)
            {
                for (var i = 0; i < n; i++)
                {
                    positions[i] = positions[i] with { Fingerprint = r.Str(), Totals = new SourceTotals(r.I64(), r.I64(), r.I64(), r.I64()) };
                }
            }

            record = new JournalRecord(kind, seq, created, topic, positions, body);
            framedLength = HeaderBytes + (int)length;
            problem = "";
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            problem = "payload shorter than its fields";
            return false;
        }
    }

    private static void WriteI64(ArrayBufferWriter<byte> w, long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }

    private static void WriteStr(ArrayBufferWriter<byte> w, string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        var span = w.GetSpan(2 + n);
        BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)n));
        Encoding.UTF8.GetBytes(s, span[2..]);
        w.Advance(2 + n);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly int Remaining => _data.Length - _pos;

        public byte U8() => _data[_pos++];

        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

        public string Str() => Encoding.UTF8.GetString(Bytes(U16()));

        public ReadOnlySpan<byte> Bytes(int n)
        {
            if (n < 0 || _pos + n > _data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(n));
            }

            var s = _data.Slice(_pos, n);
            _pos += n;
            return s;
        }
    }
}
