using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EquipmentTwin.Storage.Sqlite;

/// <summary>
/// Encodes the readings of one series (strictly increasing timestamps) into a compact chunk. Timestamps are
/// delta or delta-of-delta coded (whichever is smaller for the chunk, as in Gorilla, Pelkonen et al., VLDB 2015);
/// values are scaled integers when every value of the chunk has at most <see cref="MaxDecimals"/> decimals
/// (a log line's "42.25" becomes 4225 with exponent 2, exact to the bit) and Gorilla XOR otherwise. Integer
/// streams are bit-packed in blocks of 128 with a frame of reference per block (as Parquet and TimescaleDB's
/// delta-delta/simple8b do), so a regular clock costs almost nothing and sensor noise only its own bits.
/// </summary>
public static class ChunkCodec
{
    public const int MaxDecimals = 6;
    private const byte FormatScaled = 1;
    private const byte FormatXor = 2;
    private const int Block = 128;
    private static readonly double[] Pow10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

    /// <summary>Encodes <paramref name="count"/> readings; timestamps must be strictly increasing.</summary>
    public static byte[] Encode(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        var n = timestamps.Length;
        if (n == 0 || values.Length != n)
        {
            throw new ArgumentException("a chunk holds at least one reading and one value per timestamp");
        }

        var w = new ChunkWriter(16 + n * 3);
        var decimals = ScaledDecimals(values);
        w.Byte(decimals >= 0 ? FormatScaled : FormatXor);
        w.VarUInt((ulong)n);
        WriteIntegers(w, timestamps);
        if (decimals >= 0)
        {
            w.Byte((byte)decimals);
            var scaled = n <= 1024 ? stackalloc long[n] : new long[n];
            for (var i = 0; i < n; i++)
            {
                scaled[i] = (long)Math.Round(values[i] * Pow10[decimals]);
            }

            WriteIntegers(w, scaled);
        }
        else
        {
            WriteXor(w, values);
        }

        return w.ToArray();
    }

    /// <summary>How many readings the chunk holds, without decoding it.</summary>
    public static int Count(ReadOnlySpan<byte> chunk)
    {
        var pos = 1;
        return (int)ReadVarUInt(chunk, ref pos);
    }

    /// <summary>Decodes a chunk into the two spans, which must hold <see cref="Count"/> items; returns the count.</summary>
    /// <remarks>Allocates nothing: the scaled integers are unpacked into <paramref name="values"/>' own memory and
    /// turned into doubles in place.</remarks>
    public static int Decode(ReadOnlySpan<byte> chunk, Span<long> timestamps, Span<double> values)
    {
        var format = chunk[0];
        var pos = 1;
        var n = (int)ReadVarUInt(chunk, ref pos);
        ReadIntegers(chunk, ref pos, timestamps[..n]);
        if (format == FormatScaled)
        {
            var decimals = chunk[pos++];
            var scaled = MemoryMarshal.Cast<double, long>(values[..n]);
            ReadIntegers(chunk, ref pos, scaled);
            var p = Pow10[decimals];
            for (var i = 0; i < n; i++)
            {
                // The same division the encoder checked, so the value comes back to the bit.
                values[i] = scaled[i] / p;
            }
        }
        else if (format == FormatXor)
        {
            ReadXor(chunk, ref pos, values[..n]);
        }
        else
        {
            throw new InvalidDataException($"unknown chunk format {format}");
        }

        return n;
    }

    /// <summary>The smallest number of decimals that represents every value exactly as a scaled integer, or -1.</summary>
    private static int ScaledDecimals(ReadOnlySpan<double> values)
    {
        var d = 0;
        foreach (var v in values)
        {
            while (!Exact(v, d))
            {
                if (++d > MaxDecimals)
                {
                    return -1;
                }
            }
        }

        return d;
    }

    private static bool Exact(double v, int d)
    {
        var scaled = v * Pow10[d];
        if (!(Math.Abs(scaled) < 9e15))
        {
            return false;
        }

        var m = (long)Math.Round(scaled);
        return BitConverter.DoubleToInt64Bits(m / Pow10[d]) == BitConverter.DoubleToInt64Bits(v);
    }

    // ---- integer streams: order-1 or order-2 differences, bit-packed per block with a frame of reference ----

    private static void WriteIntegers(ChunkWriter w, ReadOnlySpan<long> raw)
    {
        var n = raw.Length;
        var d1 = n <= 1024 ? stackalloc long[n] : new long[n];
        var d2 = n <= 1024 ? stackalloc long[n] : new long[n];
        d1[0] = raw[0];
        d2[0] = raw[0];
        for (var i = 1; i < n; i++)
        {
            d1[i] = unchecked(raw[i] - raw[i - 1]);
            d2[i] = i == 1 ? d1[1] : unchecked(d1[i] - d1[i - 1]);
        }

        var order = PackedBits(d2) < PackedBits(d1) ? 2 : 1;
        var diffs = order == 2 ? d2 : d1;
        w.Byte((byte)order);
        w.VarUInt(ZigZag(diffs[0]));
        if (order == 2 && n > 1)
        {
            w.VarUInt(ZigZag(diffs[1]));
        }

        var start = order == 2 ? Math.Min(2, n) : 1;
        for (var b = start; b < n; b += Block)
        {
            WriteBlock(w, diffs.Slice(b, Math.Min(Block, n - b)));
        }
    }

    private static void ReadIntegers(ReadOnlySpan<byte> src, ref int pos, Span<long> raw)
    {
        var n = raw.Length;
        var order = src[pos++];
        raw[0] = UnZigZag(ReadVarUInt(src, ref pos));
        var start = 1;
        long delta = 0;
        if (order == 2 && n > 1)
        {
            delta = UnZigZag(ReadVarUInt(src, ref pos));
            raw[1] = unchecked(raw[0] + delta);
            start = 2;
        }

        // The differences are unpacked where the values go, then summed up in place.
        for (var b = start; b < n; b += Block)
        {
            ReadBlock(src, ref pos, raw.Slice(b, Math.Min(Block, n - b)));
        }

        if (order == 2)
        {
            for (var k = start; k < n; k++)
            {
                delta = unchecked(delta + raw[k]);
                raw[k] = unchecked(raw[k - 1] + delta);
            }
        }
        else
        {
            for (var k = start; k < n; k++)
            {
                raw[k] = unchecked(raw[k - 1] + raw[k]);
            }
        }
    }

    /// <summary>Bits the packed blocks of the stream would take (to choose the order).</summary>
    private static long PackedBits(ReadOnlySpan<long> diffs)
    {
        long bits = 0;
        for (var b = 1; b < diffs.Length; b += Block)
        {
            var block = diffs.Slice(b, Math.Min(Block, diffs.Length - b));
            var (_, width) = Frame(block);
            bits += 16 + (long)width * block.Length;
        }

        return bits;
    }

    private static (long Min, int Width) Frame(ReadOnlySpan<long> block)
    {
        long min = block[0], max = block[0];
        foreach (var v in block)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var range = unchecked((ulong)(max - min));
        return (min, 64 - BitOperations.LeadingZeroCount(range));
    }

    private static void WriteBlock(ChunkWriter w, ReadOnlySpan<long> block)
    {
        var (min, width) = Frame(block);
        w.VarUInt(ZigZag(min));
        w.Byte((byte)width);
        if (width == 0)
        {
            return;
        }

        ulong acc = 0;
        var bits = 0;
        foreach (var v in block)
        {
            var u = unchecked((ulong)(v - min));
            // LSB first, in pieces of at most 32 bits so the accumulator (under 8 bits between pieces) never overflows.
            for (var left = width; left > 0;)
            {
                var piece = Math.Min(32, left);
                acc |= (u & ((1UL << piece) - 1)) << bits;
                u >>= piece;
                left -= piece;
                bits += piece;
                while (bits >= 8)
                {
                    w.Byte((byte)acc);
                    acc >>= 8;
                    bits -= 8;
                }
            }
        }

        if (bits > 0)
        {
            w.Byte((byte)acc);
        }
    }

    private static void ReadBlock(ReadOnlySpan<byte> src, ref int pos, Span<long> block)
    {
        var min = UnZigZag(ReadVarUInt(src, ref pos));
        var width = src[pos++];
        if (width == 0)
        {
            block.Fill(min);
            return;
        }

        var mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        var bytes = (int)((block.Length * (long)width + 7) / 8);
        var data = src.Slice(pos, bytes);
        var i = 0;
        if (width <= 56 && BitConverter.IsLittleEndian)
        {
            // One unaligned 8-byte load per value (a value of at most 56 bits starting at any bit of its first byte
            // fits in it), for every value whose load stays inside the chunk; the bytes after the block are read but
            // masked off. The rest go through ReadBits.
            var tail = src[pos..];
            var safe = tail.Length < 8 ? 0 : (int)Math.Min(block.Length, ((long)(tail.Length - 8) * 8 / width) + 1);
            ref var first = ref MemoryMarshal.GetReference(tail);
            long bitPos = 0;
            for (; i < safe; i++, bitPos += width)
            {
                var word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, (nint)(bitPos >> 3)));
                block[i] = unchecked(min + (long)((word >> (int)(bitPos & 7)) & mask));
            }
        }

        for (; i < block.Length; i++)
        {
            block[i] = unchecked(min + (long)(ReadBits(data, i * (long)width, width) & mask));
        }

        pos += bytes;
    }

    /// <summary>Reads up to 64 bits starting at a bit offset (LSB-first packing).</summary>
    private static ulong ReadBits(ReadOnlySpan<byte> data, long bitPos, int width)
    {
        var byteIndex = (int)(bitPos >> 3);
        var shift = (int)(bitPos & 7);
        ulong lo;
        if (byteIndex + 8 <= data.Length)
        {
            lo = BinaryPrimitives.ReadUInt64LittleEndian(data[byteIndex..]);
        }
        else
        {
            Span<byte> tmp = stackalloc byte[8];
            tmp.Clear();
            data[byteIndex..].CopyTo(tmp);
            lo = BinaryPrimitives.ReadUInt64LittleEndian(tmp);
        }

        var value = lo >> shift;
        if (shift + width > 64)
        {
            // The value straddles nine bytes: its top bits are in the ninth.
            value |= (ulong)data[byteIndex + 8] << (64 - shift);
        }

        return value;
    }

    // ---- Gorilla XOR for values that are not short decimals ----

    private static void WriteXor(ChunkWriter w, ReadOnlySpan<double> values)
    {
        var bw = new BitWriter();
        var prev = BitConverter.DoubleToUInt64Bits(values[0]);
        bw.Write(prev, 64);
        int prevLead = -1, prevTrail = 0;
        for (var i = 1; i < values.Length; i++)
        {
            var cur = BitConverter.DoubleToUInt64Bits(values[i]);
            var x = cur ^ prev;
            prev = cur;
            if (x == 0)
            {
                bw.Write(0, 1);
                continue;
            }

            var lead = Math.Min(31, BitOperations.LeadingZeroCount(x));
            var trail = BitOperations.TrailingZeroCount(x);
            if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail)
            {
                bw.Write(0b01, 2);
                bw.Write(x >> prevTrail, 64 - prevLead - prevTrail);
            }
            else
            {
                var len = 64 - lead - trail;
                bw.Write(0b11, 2);
                bw.Write((ulong)lead, 5);
                bw.Write((ulong)(len - 1), 6);
                bw.Write(x >> trail, len);
                prevLead = lead;
                prevTrail = trail;
            }
        }

        var bytes = bw.ToArray();
        w.VarUInt((ulong)bytes.Length);
        w.Bytes(bytes);
    }

    private static void ReadXor(ReadOnlySpan<byte> src, ref int pos, Span<double> values)
    {
        var len = (int)ReadVarUInt(src, ref pos);
        var data = src.Slice(pos, len);
        pos += len;
        long bit = 0;
        var prev = Take(data, ref bit, 64);
        values[0] = BitConverter.UInt64BitsToDouble(prev);
        int lead = 0, trail = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (Take(data, ref bit, 1) == 0)
            {
                values[i] = BitConverter.UInt64BitsToDouble(prev);
                continue;
            }

            if (Take(data, ref bit, 1) == 1)
            {
                lead = (int)Take(data, ref bit, 5);
                var meaningful = (int)Take(data, ref bit, 6) + 1;
                trail = 64 - lead - meaningful;
            }

            prev ^= Take(data, ref bit, 64 - lead - trail) << trail;
            values[i] = BitConverter.UInt64BitsToDouble(prev);
        }
    }

    private static ulong Take(ReadOnlySpan<byte> data, ref long bit, int width)
    {
        var v = width == 0 ? 0 : ReadBits(data, bit, width) & (width == 64 ? ulong.MaxValue : (1UL << width) - 1);
        bit += width;
        return v;
    }

    // ---- primitives ----

    private static ulong ZigZag(long v) => unchecked((ulong)((v << 1) ^ (v >> 63)));

    private static long UnZigZag(ulong u) => unchecked((long)(u >> 1) ^ -(long)(u & 1));

    private static ulong ReadVarUInt(ReadOnlySpan<byte> src, ref int pos)
    {
        ulong v = 0;
        var shift = 0;
        while (true)
        {
            var b = src[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }

            shift += 7;
        }
    }

    /// <summary>A growable byte buffer.</summary>
    private sealed class ChunkWriter(int capacity)
    {
        private byte[] _buffer = new byte[Math.Max(16, capacity)];
        private int _length;

        public void Byte(byte b)
        {
            if (_length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            _buffer[_length++] = b;
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                Byte(b);
            }
        }

        public void VarUInt(ulong v)
        {
            while (v >= 0x80)
            {
                Byte((byte)(v | 0x80));
                v >>= 7;
            }

            Byte((byte)v);
        }

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();
    }

    /// <summary>LSB-first bit writer (the same bit order <see cref="ReadBits"/> reads).</summary>
    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = new();
        private ulong _acc;
        private int _bits;

        public void Write(ulong value, int width)
        {
            if (width > 32)
            {
                Write(value & 0xFFFF_FFFF, 32);
                Write(value >> 32, width - 32);
                return;
            }

            if (width == 0)
            {
                return;
            }

            _acc |= (value & ((1UL << width) - 1)) << _bits;
            _bits += width;
            while (_bits >= 8)
            {
                _bytes.Add((byte)_acc);
                _acc >>= 8;
                _bits -= 8;
            }
        }

        public byte[] ToArray()
        {
            var copy = new List<byte>(_bytes);
            if (_bits > 0)
            {
                copy.Add((byte)_acc);
            }

            return copy.ToArray();
        }
    }
}
