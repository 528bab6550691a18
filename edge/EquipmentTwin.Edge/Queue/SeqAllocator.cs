using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace EquipmentTwin.Edge.Queue;

/// <summary>
/// Hands out the wire <c>seq</c> of this agent's source. Write-ahead: a block of numbers is reserved on disk
/// (fsynced) before any of it is used, so after a kill -9 the agent starts above everything it may have used
/// and never gives one number to two different batches.
/// </summary>
public sealed class SeqAllocator : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly int _block;
    private long _next;
    private long _reserved;

    private SeqAllocator(SafeFileHandle file, long next, int block)
    {
        _file = file;
        _block = block;
        _next = next;
        _reserved = next;
    }

    /// <summary>Next number to be handed out.</summary>
    public long Peek => Interlocked.Read(ref _next);

    /// <summary>Opens <c>{dir}/seq</c>; <paramref name="floor"/> is one above the highest seq found in the journal.</summary>
    public static SeqAllocator Open(string path, long floor, int block = 1024)
    {
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Span<byte> buf = stackalloc byte[12];
        var reserved = 0L;
        if (RandomAccess.Read(file, buf, 0) == 12 && Crc32.Compute(buf[..8]) == BinaryPrimitives.ReadUInt32LittleEndian(buf[8..]))
        {
            reserved = BinaryPrimitives.ReadInt64LittleEndian(buf);
        }

        var allocator = new SeqAllocator(file, Math.Max(Math.Max(reserved, floor), 1), block);
        allocator.Reserve();
        return allocator;
    }

    public long Next()
    {
        if (_next >= _reserved)
        {
            Reserve();
        }

        return _next++;
    }

    private void Reserve()
    {
        var upTo = _next + _block;
        Span<byte> buf = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(buf, upTo);
        BinaryPrimitives.WriteUInt32LittleEndian(buf[8..], Crc32.Compute(buf[..8]));
        RandomAccess.Write(_file, buf, 0);
        RandomAccess.FlushToDisk(_file);
        _reserved = upTo;
    }

    public void Dispose() => _file.Dispose();
}
