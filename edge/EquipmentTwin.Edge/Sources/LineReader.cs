using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Reads whole lines from an open file, starting at <see cref="Offset"/>. A line is taken only with its
/// '\n', so a line the writer has half written is read again next time; the offset is always at a line start.
/// </summary>
internal sealed class LineReader : IDisposable
{
    /// <summary>Longer lines are cut into pieces of this size and rejected.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private readonly byte[] _buffer = new byte[MaxLineBytes];

    public LineReader(string path, SafeFileHandle handle, string identity, long offset)
    {
        Path = path;
        Handle = handle;
        Identity = identity;
        Offset = offset;
    }

    public string Path { get; }
    public SafeFileHandle Handle { get; }
    public string Identity { get; }
    public long Offset { get; set; }

    public long Length => RandomAccess.GetLength(Handle);

    /// <summary>The file's first bytes (see <see cref="FileFingerprint"/>), taken again while the file is shorter than the fingerprint's length.</summary>
    public string Fingerprint { get; private set; } = "";

    /// <summary>The largest length seen: what the writer had written when the agent last looked.</summary>
    public long SeenLength { get; private set; }

    /// <summary>Looks at the file's length (and the fingerprint, while it is short); returns the length.</summary>
    public long Observe()
    {
        var length = Length;
        SeenLength = Math.Max(SeenLength, length);
        if (FileFingerprint.LengthOf(Fingerprint) < Math.Min(length, FileFingerprint.Bytes))
        {
            Fingerprint = FileFingerprint.Of(Handle);
        }

        return length;
    }

    /// <summary>Starts again at 0 after a truncation: the file's old start and length no longer apply.</summary>
    public void Restart()
    {
        Offset = 0;
        Fingerprint = "";
        SeenLength = 0;
        Observe();
    }

    /// <summary>
    /// Appends up to <paramref name="maxLines"/> lines to <paramref name="lines"/> and moves <see cref="Offset"/> past them.
    /// With <paramref name="takePartial"/> (a rotated file that will not grow), a last line without '\n' is taken too.
    /// Returns the number of lines taken.
    /// </summary>
    public int Read(List<string> lines, int maxLines, bool takePartial)
    {
        var taken = 0;
        while (taken < maxLines)
        {
            var n = RandomAccess.Read(Handle, _buffer, Offset);
            if (n <= 0)
            {
                break;
            }

            var span = _buffer.AsSpan(0, n);
            var consumed = 0;
            while (taken < maxLines)
            {
                var nl = span[consumed..].IndexOf((byte)'\n');
                if (nl < 0)
                {
                    break;
                }

                lines.Add(Decode(span.Slice(consumed, nl)));
                consumed += nl + 1;
                taken++;
            }

            if (consumed == 0)
            {
                // No '\n' in a full buffer: an over-long line, taken in pieces (the parser rejects them). Otherwise a partial last line.
                if (n == _buffer.Length || takePartial)
                {
                    lines.Add(Decode(span));
                    consumed = n;
                    taken++;
                }
                else
                {
                    break;
                }
            }

            Offset += consumed;
            if (n < _buffer.Length && consumed == n)
            {
                break;
            }
        }

        return taken;
    }

    internal static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        // A writer without O_APPEND keeps writing at its old offset after copytruncate: the hole before reads as NULs.
        bytes = bytes.TrimStart((byte)0);

        return Encoding.UTF8.GetString(bytes);
    }

    public void Dispose() => Handle.Dispose();
}
