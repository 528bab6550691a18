using System.ComponentModel.DataAnnotations;

namespace EquipmentTwin.Service.Security;

/// <summary>Section <c>Auth</c>: who may use the HTTP API.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// JSON file of users (password hashes) and API keys (SHA-256 of the key), written by <c>twin credentials</c>;
    /// keep it outside the repository. Without it the service runs in loopback demo mode, which is refused
    /// when the HTTP API listens on anything but loopback.
    /// </summary>
    public string? UsersFile { get; set; }

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    [Range(1, 1000)]
    public int SignInPerMinute { get; set; } = 5;
}
