using System.IO.Compression;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Reads whole lines from a rotated file compressed with gzip, after skipping the first <c>skip</c> decompressed bytes:
/// those the agent had already read from the plain file before it was compressed. <see cref="Offset"/> counts
/// decompressed bytes, so it continues the plain file's offsets.
/// </summary>
internal sealed class GzipLineReader : IDisposable
{
    private readonly GZipStream _gz;
    private readonly byte[] _buffer = new byte[LineReader.MaxLineBytes];
    private int _start;
    private int _end;
    private bool _eof;

    public GzipLineReader(string path, long skip)
    {
        Path = path;
        _gz = new GZipStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024), CompressionMode.Decompress);
        var discard = new byte[64 * 1024];
        while (Offset < skip)
        {
            var n = _gz.Read(discard, 0, (int)Math.Min(discard.Length, skip - Offset));
            if (n == 0)
            {
                _eof = true;
                break;
            }

            Offset += n;
        }
    }

    public string Path { get; }

    /// <summary>Decompressed bytes consumed: skipped plus the lines taken.</summary>
    public long Offset { get; private set; }

    /// <summary>Appends up to <paramref name="maxLines"/> lines; at the end a last line without '\n' is taken too. Returns the number taken.</summary>
    public int Read(List<string> lines, int maxLines)
    {
        var taken = 0;
        while (taken < maxLines)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                lines.Add(LineReader.Decode(span[..nl]));
                _start += nl + 1;
                Offset += nl + 1;
                taken++;
                continue;
            }

            if (_eof || _end - _start == _buffer.Length)
            {
                if (_end > _start)
                {
                    // The unterminated end of the file, or an over-long line taken in pieces (the parser rejects them).
                    lines.Add(LineReader.Decode(span));
                    Offset += span.Length;
                    _start = _end;
                    taken++;
                    continue;
                }

                break;
            }

            // Move the partial line to the front and fill the rest.
            span.CopyTo(_buffer);
            _end -= _start;
            _start = 0;
            var n = _gz.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _eof = true;
            }

            _end += n;
        }

        return taken;
    }

    public void Dispose() => _gz.Dispose();
}
