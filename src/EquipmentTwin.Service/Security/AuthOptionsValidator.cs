using EquipmentTwin.Service.Hosting;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Security;

/// <summary>At start: a users file that exists, or an HTTP API on loopback (demo mode); never an open API on a network.</summary>
public sealed class AuthOptionsValidator(IOptions<HttpOptions> http) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (options.UsersFile is { Length: > 0 } file)
        {
            return File.Exists(file) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"Auth:UsersFile '{file}' does not exist (write one with 'twin credentials')");
        }

        return SecurityMode.IsLoopback(http.Value.Bind)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"the HTTP API listens on {http.Value.Bind}, not loopback, and no Auth:UsersFile is configured: demo mode (no sign-in) is only allowed on loopback");
    }
}
