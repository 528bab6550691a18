using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EquipmentTwin.Service.Security;

/// <summary>Users and API keys from <c>Auth:UsersFile</c>; empty in demo mode.</summary>
public sealed class UserDirectory
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly Dictionary<string, UserEntry> _users;
    private readonly Dictionary<string, ApiKeyEntry> _keys;

    public UserDirectory(UsersFile file)
    {
        _users = file.Users.ToDictionary(u => u.Name, StringComparer.Ordinal);
        _keys = file.ApiKeys.ToDictionary(k => k.KeySha256, StringComparer.OrdinalIgnoreCase);
    }

    public static UserDirectory Empty { get; } = new(new UsersFile([], []));

    public bool IsEmpty => _users.Count == 0 && _keys.Count == 0;

    public static UserDirectory Load(string path)
    {
        var file = JsonSerializer.Deserialize<UsersFile>(File.ReadAllBytes(path), Json) ?? throw new InvalidDataException($"{path} is empty");
        foreach (var role in file.Users.SelectMany(u => u.Roles).Concat(file.ApiKeys.SelectMany(k => k.Roles)))
        {
            if (!Roles.IsKnown(role))
            {
                throw new InvalidDataException($"{path}: unknown role '{role}' (viewer, engineer, admin)");
            }
        }

        return new UserDirectory(file);
    }

    public static void Save(string path, UsersFile file) => File.WriteAllText(path, JsonSerializer.Serialize(file, Json));

    /// <summary>The user's roles when the password matches.</summary>
    public IReadOnlyList<string>? SignIn(string user, string password)
    {
        if (_users.TryGetValue(user, out var entry))
        {
            return PasswordHash.Verify(password, entry.PasswordHash) ? entry.Roles : null;
        }

        // Same work for an unknown name, so timing does not tell which names exist.
        PasswordHash.Verify(password, "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        return null;
    }

    /// <summary>The key's name and roles when it is known.</summary>
    public ApiKeyEntry? FindKey(string key)
    {
        var digest = PasswordHash.DigestKey(key);
        return _keys.TryGetValue(digest, out var entry) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(digest), Encoding.ASCII.GetBytes(entry.KeySha256.ToLowerInvariant())) ? entry : null;
    }
}
