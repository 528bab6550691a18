using System.Security.Cryptography;
using System.Text;

namespace EquipmentTwin.Service.Broker;

/// <summary>
/// Mosquitto 2.x password-file hashes: <c>$7$iterations$salt$hash</c>, PBKDF2-HMAC-SHA512 with a 12-byte salt
/// and a 64-byte hash, both base64 (what <c>mosquitto_passwd</c> writes), so one generated file serves
/// Mosquitto and the embedded broker.
/// </summary>
public static class MosquittoPasswordHash
{
    private const int Iterations = 101;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, 64);
        return $"$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 5 || parts[0].Length != 0 || parts[1] != "7" || !int.TryParse(parts[2], out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[3]);
            var expected = Convert.FromBase64String(parts[4]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
