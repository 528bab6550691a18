using System.Net;
using EquipmentTwin.Service.Hosting;

namespace EquipmentTwin.Service.Security;

/// <summary>
/// Demo or signed-in, decided once at start: loopback demo mode when the HTTP API listens on loopback and no
/// users file is configured (every request is <c>demo-engineer</c>); sign-in otherwise. No users file on a
/// non-loopback address is refused, so the API is never open to a network by accident.
/// </summary>
public sealed class SecurityMode
{
    private SecurityMode(bool demo, UserDirectory users)
    {
        Demo = demo;
        Users = users;
    }

    public bool Demo { get; }

    public UserDirectory Users { get; }

    public static SecurityMode From(AuthOptions auth, HttpOptions http)
    {
        if (auth.UsersFile is { Length: > 0 } file)
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"Auth:UsersFile '{file}' does not exist (write one with 'twin credentials')");
            }

            return new SecurityMode(false, UserDirectory.Load(file));
        }

        if (!IsLoopback(http.Bind))
        {
            throw new InvalidOperationException(
                $"the HTTP API listens on {http.Bind}, not loopback, and no Auth:UsersFile is configured: demo mode (no sign-in) is only allowed on loopback. Write users with 'twin credentials' and set Auth:UsersFile.");
        }

        return new SecurityMode(true, UserDirectory.Empty);
    }

    public static bool IsLoopback(string address) =>
        address is "localhost" || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));
}
