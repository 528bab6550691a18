namespace EquipmentTwin.Service.Security;

/// <summary>The users file: hashes only, never a clear secret.</summary>
public sealed record UsersFile(IReadOnlyList<UserEntry> Users, IReadOnlyList<ApiKeyEntry> ApiKeys);

public sealed record UserEntry(string Name, IReadOnlyList<string> Roles, string PasswordHash);

public sealed record ApiKeyEntry(string Name, IReadOnlyList<string> Roles, string KeySha256);
