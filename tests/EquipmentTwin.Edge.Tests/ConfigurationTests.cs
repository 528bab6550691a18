using EquipmentTwin.Edge.Hosting;
using Microsoft.Extensions.Configuration;
using EquipmentTwin.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Edge.Tests;

public class ConfigurationTests
{
    [Fact]
    public async Task Invalid_configuration_fails_at_start_naming_each_bad_setting()
    {
        using var dir = new TempDirectory("edge-cfg");
        var path = Path.Combine(dir.Path, "bad.json");
        await File.WriteAllTextAsync(path, """
            { "Edge": { "Source": "bad source!", "Site": "s1", "DataDir": "DATA" },
              "Mqtt": { "Port": 70000 },
              "Devices": [ { "id": "d1", "format": "xml", "tail": "/tmp/x.log" }, { "id": "d1", "format": "pipe" } ] }
            """.Replace("DATA", dir.Path));

        using var host = EdgeHost.Build(["--config", path]);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Edge:Source"));
        Assert.Contains(ex.Failures, f => f.StartsWith("Mqtt:Port"));
        Assert.Contains(ex.Failures, f => f.Contains("format 'xml'"));
        Assert.Contains(ex.Failures, f => f.Contains("configured twice"));
    }

    [Fact]
    public void Shipped_configuration_is_valid()
    {
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, "config", "edge", "appsettings.json")).Build();
        var settings = new EdgeSettings();
        EdgeSettings.Bind(config, settings);
        Directory.SetCurrentDirectory(RepoPaths.Root);

        var result = new EdgeSettingsValidator().Validate(null, settings);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(3, settings.Devices.Count);
        Assert.All(settings.Devices, d => Assert.NotNull(EdgeSettingsValidator.ResolveNameplate(d).Nameplate));
    }
}
