using EquipmentTwin.Service.Hosting;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Stores;

/// <summary>Checks at start what data annotations cannot: the Influx section is complete when Store:Kind is influx.</summary>
public sealed class StoreOptionsValidator(IOptions<InfluxOptions> influx) : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (options.Kind != StoreOptions.Influx)
        {
            return ValidateOptionsResult.Success;
        }

        var i = influx.Value;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(i.Url) || !Uri.TryCreate(i.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add($"Store:Kind influx needs Influx:Url (--influx-url) as http(s)://host:port, got '{i.Url}'");
        }

        if (i.TokenFile is { Length: > 0 } file && !File.Exists(file))
        {
            failures.Add($"Influx:TokenFile '{file}' does not exist");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
