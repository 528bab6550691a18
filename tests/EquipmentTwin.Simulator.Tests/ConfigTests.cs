using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;
using EquipmentTwin.Testing;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public class ConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new("sim-config");

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, json);
        return path;
    }

    private const string Sites = """ "sites": [{ "id": "s1" }] """;

    [Fact]
    public void Unknown_modality_names_the_file_and_field()
    {
        var path = Write("x.json", $$"""{ "name": "x", {{Sites}}, "devices": [{ "id": "d1", "site": "s1", "modality": "pet", "vendor": "v", "model": "m" }] }""");
        var ex = Assert.Throws<SimulationConfigException>(() => FleetLoader.Load(path));
        Assert.Equal($"{path}: devices[0].modality 'pet' is not mri, ct or xray", ex.Message);
    }

    [Fact]
    public void Fault_on_a_component_the_modality_lacks_names_the_file_and_field()
    {
        var path = Write("x.json", $$"""
            { "name": "x", {{Sites}}, "devices": [
              { "id": "d0", "site": "s1", "modality": "ct", "vendor": "v", "model": "m" },
              { "id": "d1", "site": "s1", "modality": "mri", "vendor": "v", "model": "m",
                "faults": [ { "scenario": "mri-cold-head-wear", "onsetDays": 1 }, { "scenario": "mri-cold-head-wear", "onsetDays": 5, "component": "tube" } ] } ] }
            """);
        var fleet = FleetLoader.Load(path);
        var ex = Assert.Throws<SimulationConfigException>(() => new FleetSimulator(fleet, Library, Catalog, new SimulationOptions { Days = 1 }));
        Assert.Equal($"{path}: devices[1].faults[1].component 'tube' is not a component of modality mri", ex.Message);
    }

    [Fact]
    public void Fault_scenario_for_another_modality_is_refused()
    {
        var path = Write("x.json", $$"""{ "name": "x", {{Sites}}, "devices": [{ "id": "d1", "site": "s1", "modality": "xray", "vendor": "v", "model": "m", "faults": [{ "scenario": "ct-tube-arcing", "onsetDays": 1 }] }] }""");
        var ex = Assert.Throws<SimulationConfigException>(() => new FleetSimulator(FleetLoader.Load(path), Library, Catalog, new SimulationOptions { Days = 1 }));
        Assert.Equal($"{path}: devices[0].faults[0].scenario 'ct-tube-arcing' is for modality ct, not xray", ex.Message);
    }

    [Fact]
    public void Negative_rate_in_a_fault_file_names_the_file_and_field()
    {
        var dir = Path.Combine(_dir.Path, "faults");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "bad.json");
        File.WriteAllText(file, """
            { "id": "bad", "modality": "ct", "component": "tube_insert", "kind": "machine", "durationDays": [10, 20],
              "progression": { "law": "exponential", "k": 3 },
              "events": [ { "code": "CT-TUB-101", "law": "poisson", "lambda0PerDay": -0.5, "kappa": 4 } ] }
            """);
        var ex = Assert.Throws<SimulationConfigException>(() => FaultLibrary.LoadDirectory(dir));
        Assert.Equal($"{file}: events[0].lambda0PerDay -0.5 must not be negative", ex.Message);
    }

    [Fact]
    public void Negative_progression_rate_and_bad_duration_are_refused()
    {
        var file = Write("k.json", """{ "id": "k", "modality": "mri", "component": "cold_head", "kind": "machine", "durationDays": [10, 20], "progression": { "law": "exponential", "k": -2 } }""");
        Assert.Equal($"{file}: progression.k -2 must not be negative", Assert.Throws<SimulationConfigException>(() => FaultLibrary.LoadFile(file)).Message);
        var file2 = Write("d.json", """{ "id": "d", "modality": "mri", "component": "cold_head", "kind": "machine", "durationDays": [20, 10], "progression": { "law": "linear" } }""");
        Assert.Equal($"{file2}: durationDays [20, 10] must have 0 < min <= max", Assert.Throws<SimulationConfigException>(() => FaultLibrary.LoadFile(file2)).Message);
    }

    [Fact]
    public void Fault_effect_on_a_parameter_the_model_lacks_is_refused()
    {
        var file = Write("p.json", """{ "id": "p", "modality": "xray", "component": "tube", "kind": "machine", "durationDays": [1, 2], "progression": { "law": "linear" }, "effects": [ { "parameter": "coldhead_wear" } ] }""");
        var ex = Assert.Throws<SimulationConfigException>(() => FaultLibrary.LoadFile(file));
        Assert.StartsWith($"{file}: effects[0].parameter 'coldhead_wear' is not a parameter of the xray model", ex.Message);
    }

    [Fact]
    public void Unknown_scenario_and_unknown_site_are_refused()
    {
        var path = Write("x.json", $$"""{ "name": "x", {{Sites}}, "devices": [{ "id": "d1", "site": "s9", "modality": "ct", "vendor": "v", "model": "m" }] }""");
        Assert.Equal($"{path}: devices[0].site 's9' is not one of the file's sites", Assert.Throws<SimulationConfigException>(() => FleetLoader.Load(path)).Message);

        var path2 = Write("y.json", $$"""{ "name": "x", {{Sites}}, "devices": [{ "id": "d1", "site": "s1", "modality": "ct", "vendor": "v", "model": "m", "faults": [{ "scenario": "nope", "onsetDays": 1 }] }] }""");
        var ex = Assert.Throws<SimulationConfigException>(() => new FleetSimulator(FleetLoader.Load(path2), Library, Catalog, new SimulationOptions { Days = 1 }));
        Assert.Equal($"{path2}: devices[0].faults[0].scenario 'nope' is not in the fault library", ex.Message);
    }

    [Fact]
    public void Malformed_json_names_the_file()
    {
        var path = Write("m.json", "{ \"name\": ");
        Assert.StartsWith($"{path}: not valid JSON", Assert.Throws<SimulationConfigException>(() => FleetLoader.Load(path)).Message);
    }

    [Fact]
    public void The_seed_fleets_and_fault_scenarios_load_and_validate()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Seeds, "fleets"), "*.json"))
        {
            _ = new FleetSimulator(FleetLoader.Load(file), Library, Catalog, new SimulationOptions { Days = 1 / 24.0 });
        }

        var reference = FleetLoader.Load(Path.Combine(Seeds, "fleets", "reference.json"));
        Assert.True(reference.Devices.Count >= 60);
        Assert.True(reference.Sites.Count >= 6);
        Assert.Equal(3, reference.Devices.Select(d => d.Modality).Distinct().Count());
        var used = reference.Devices.SelectMany(d => d.Faults).Select(f => f.Scenario).ToHashSet();
        Assert.All(Library.Scenarios.Where(s => s.Kind == FaultKind.Machine), s => Assert.Contains(s.Id, used));
    }
}
