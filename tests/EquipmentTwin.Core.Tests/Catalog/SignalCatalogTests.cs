using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Core.Tests.Catalog;

public class SignalCatalogTests
{
    [Fact]
    public void Seed_catalogs_load_for_all_three_modalities()
    {
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);

        Assert.Equal([Modality.Mri, Modality.Ct, Modality.Xray], catalog.Modalities.Select(m => m.Modality).Order());
        var mri = catalog[Modality.Mri];
        var he = mri.FindSignal("he_level_pct");
        Assert.NotNull(he);
        Assert.Equal("%", he.Unit);
        Assert.True(he.IsInNormalRange(85));
        Assert.False(he.IsInNormalRange(35));
        Assert.Contains("cold_head", mri.Components.Keys);
        Assert.NotNull(mri.FindEvent("MR-CRY-101"));
        Assert.NotNull(catalog[Modality.Ct].FindSignal("filament_current_a"));
        Assert.NotNull(catalog[Modality.Xray].FindSignal("battery_soh_pct"));
    }

    [Fact]
    public void Every_seed_event_code_follows_the_modality_scheme()
    {
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        foreach (var m in catalog.Modalities)
        {
            var prefix = m.Modality switch { Modality.Mri => "MR-", Modality.Ct => "CT-", _ => "XR-" };
            Assert.All(m.Events.Keys, code => Assert.StartsWith(prefix, code));
            Assert.True(m.Signals.Count >= 15, $"{m.Modality} has only {m.Signals.Count} signals");
        }
    }

    [Theory]
    [InlineData("""{"modality":"pet","components":[],"signals":[],"events":[]}""", "field 'modality'")]
    [InlineData("""{"modality":"mri","components":[{"id":"a"}],"signals":[{"name":"x","component":"b"}],"events":[]}""", "signals[0].component 'b'")]
    [InlineData("""{"modality":"mri","components":[{"id":"a"}],"signals":[{"name":"x","component":"a","normalMin":5,"normalMax":1}],"events":[]}""", "signals[0]: normalMin 5 is above normalMax 1")]
    [InlineData("""{"modality":"mri","components":[{"id":"a"}],"signals":[{"name":"x","component":"a"},{"name":"x","component":"a"}],"events":[]}""", "signals[1].name 'x' is defined twice")]
    [InlineData("""{"modality":"mri","components":[{"id":"a"}],"signals":[],"events":[{"code":"E1","severity":"loud","component":"a"}]}""", "events[0].severity 'loud'")]
    [InlineData("""{"modality":"mri",""", "not valid JSON")]
    public void Bad_catalog_file_names_the_file_and_the_field(string json, string expected)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "broken.json");
        File.WriteAllText(file, json);

        var ex = Assert.Throws<CatalogException>(() => SignalCatalog.LoadDirectory(dir.Path));

        Assert.Contains("broken.json", ex.Message);
        Assert.Contains(expected, ex.Message);
    }
}
