using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Names the first bytes of a log file (<c>{n}:{hash}</c>, n up to 256): a copy of the file (copytruncate) or a
/// compressed copy (<c>.gz</c>) starts with the same bytes but has another inode, so this is how the agent finds it.
/// Vendor lines begin with a timestamp, so two different files practically never share their first 256 bytes.
/// </summary>
internal static class FileFingerprint
{
    public const int Bytes = 256;

    public static int LengthOf(string fingerprint)
    {
        var colon = fingerprint.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && int.TryParse(fingerprint.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    public static string Of(ReadOnlySpan<byte> head) =>
        head.Length == 0 ? "" : head.Length.ToString(CultureInfo.InvariantCulture) + ":" + Convert.ToHexString(SHA256.HashData(head))[..24];

    /// <summary>The fingerprint of the first <see cref="Bytes"/> bytes of an open file (fewer when it is shorter).</summary>
    public static string Of(SafeFileHandle handle)
    {
        Span<byte> head = stackalloc byte[Bytes];
        var n = ReadHead(handle, head);
        return Of(head[..n]);
    }

    /// <summary>True when the file's first bytes are those the fingerprint names.</summary>
    public static bool Matches(SafeFileHandle handle, string fingerprint)
    {
        var n = LengthOf(fingerprint);
        if (n == 0)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[Bytes];
        return ReadHead(handle, head[..n]) == n && Of(head[..n]) == fingerprint;
    }

    /// <summary>True when the decompressed start of the gzip file at <paramref name="path"/> is what the fingerprint names.</summary>
    public static bool MatchesGzip(string path, string fingerprint)
    {
        var n = LengthOf(fingerprint);
        if (n == 0)
        {
            return false;
        }

        try
        {
            using var gz = new GZipStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), CompressionMode.Decompress);
            var head = new byte[n];
            var got = 0;
            while (got < n)
            {
                var r = gz.Read(head, got, n - got);
                if (r == 0)
                {
                    return false;
                }

                got += r;
            }

            return Of(head) == fingerprint;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false; // not a gzip file, or one still being written
        }
    }

    private static int ReadHead(SafeFileHandle handle, Span<byte> head)
    {
        var got = 0;
        while (got < head.Length)
        {
            var r = RandomAccess.Read(handle, head[got..], got);
            if (r <= 0)
            {
                break;
            }

            got += r;
        }

        return got;
    }
}
