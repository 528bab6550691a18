using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Identity of an open file that survives a rename: <c>device:inode</c> from fstat(2) on Linux. Rotation
/// (rename + new file) shows as a new identity at the same path; truncation as the same identity with a shorter length.
/// </summary>
internal static partial class FileIdentity
{
    // st_dev and st_ino are the first two 64-bit fields of struct stat on x86-64 and on the generic (arm64) layout.
    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int FStat(int fd, byte[] buffer);

    public static string Of(SafeFileHandle handle)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256];
            if (FStat((int)handle.DangerousGetHandle(), buffer) == 0)
            {
                return $"{BitConverter.ToUInt64(buffer, 0)}:{BitConverter.ToUInt64(buffer, 8)}";
            }
        }

        // Elsewhere: the first bytes of the file stand in for the inode (weaker: two files may start alike).
        Span<byte> head = stackalloc byte[128];
        var n = RandomAccess.Read(handle, head, 0);
        return "fp:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(head[..n]))[..16];
    }

    /// <summary>The identity of the file now at <paramref name="path"/>, or null when there is none.</summary>
    public static string? OfPath(string path)
    {
        try
        {
            using var handle = OpenRead(path);
            return Of(handle);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }

    public static SafeFileHandle OpenRead(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}
