using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class PhysicsConfigLoaderTests
{
    [Fact]
    public void Shipped_physics_configs_load_against_the_catalogs()
    {
        var config = PhysicsConfigLoader.LoadDirectory(Synthetic.ConfigDirectory, Synthetic.Catalog);

        Assert.Equal([Modality.Mri, Modality.Ct, Modality.Xray], config.Modalities.OrderBy(m => m));
        foreach (var modality in config.Modalities)
        {
            var catalog = Synthetic.Catalog[modality];
            Assert.NotEmpty(config.For(modality));
            foreach (var m in config.For(modality))
            {
                Assert.True(catalog.Components.ContainsKey(m.Component), m.Id);
                Assert.True(m.Signal is null || catalog.Signals.ContainsKey(m.Signal), m.Id);
                Assert.All(m.Codes, c => Assert.NotNull(catalog.FindEvent(c)));
            }
        }

        var helium = config.For(Modality.Mri).Single(m => m.Signal == "he_level_pct");
        Assert.Equal((PhysicsLaw.ChangePointLinear, 40.0, ThresholdDirection.Below, "%"), (helium.Law, helium.Threshold, helium.Direction, helium.Unit));
        var filament = config.For(Modality.Ct).Single(m => m.Signal == "filament_current_a");
        Assert.True(filament.RelativeToBaseline);
        Assert.Equal(10, filament.Threshold);
        var output = config.For(Modality.Xray).Single(m => m.Signal == "tube_output_mgy_per_mas");
        // The tube fails its dose check below the catalog's lower normal output: that is the limit the forecast aims at,
        // not a change from the tube's own baseline.
        Assert.Equal((Synthetic.Catalog[Modality.Xray].FindSignal("tube_output_mgy_per_mas")!.NormalMin, ThresholdDirection.Below, false),
            ((double?)output.Threshold, output.Direction, output.RelativeToBaseline));
        Assert.Contains(config.For(Modality.Ct), m => m.Law == PhysicsLaw.PoissonRate && m.Codes.Contains("CT-TUB-101"));
    }

    [Fact]
    public void Band_quantile_table_is_read_for_trend_laws_and_a_falling_table_is_rejected()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "mri.json");
        const string table = "\"0.05\": -1.0, \"0.10\": -0.8, \"0.25\": -0.1, \"0.50\": 0.2, \"0.75\": 1.6, \"0.90\": 2.0, \"0.95\": 2.1";
        File.WriteAllText(file, $$"""{ "modality": "mri", "bandQuantiles": { {{table}} }, "models": [ {{Entry("")}} ] }""");

        var helium = Assert.Single(PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog).For(Modality.Mri));
        Assert.Equal(new BandQuantiles(-1.0, -0.8, -0.1, 0.2, 1.6, 2.0, 2.1), helium.BandQuantiles);

        File.WriteAllText(file, $$"""{ "modality": "mri", "bandQuantiles": { {{table.Replace("\"0.75\": 1.6", "\"0.75\": -0.5", StringComparison.Ordinal)}} }, "models": [ {{Entry("")}} ] }""");
        var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("field 'bandQuantiles'", ex.Message);

        var shipped = PhysicsConfigLoader.LoadDirectory(Synthetic.ConfigDirectory, Synthetic.Catalog);
        Assert.All(shipped.Modalities.SelectMany(shipped.For), m => Assert.Equal(m.Law != PhysicsLaw.WeibullUsage, m.BandQuantiles is not null));
    }

    [Fact]
    public void A_models_own_band_table_comes_before_the_files_and_a_weibull_model_may_not_have_one()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "mri.json");
        const string own = "\"0.05\": -0.9, \"0.10\": -0.85, \"0.25\": -0.75, \"0.50\": -0.7, \"0.75\": -0.6, \"0.90\": -0.5, \"0.95\": -0.45";
        var models = FileAndModelTable(file, "bandQuantiles", "\"0.05\": -1.0, \"0.10\": -0.8, \"0.25\": -0.1, \"0.50\": 0.2, \"0.75\": 1.6, \"0.90\": 2.0, \"0.95\": 2.1", own);
        Assert.Equal(new BandQuantiles(-0.9, -0.85, -0.75, -0.7, -0.6, -0.5, -0.45), models.Single(m => m.Id == "helium").BandQuantiles);
        Assert.Equal(new BandQuantiles(-1.0, -0.8, -0.1, 0.2, 1.6, 2.0, 2.1), models.Single(m => m.Id == "helium-2").BandQuantiles);

        File.WriteAllText(file, $$"""{ "modality": "mri", "models": [ {{Entry("\"bandQuantiles\": { " + own.Replace("\"0.95\": -0.45", "\"0.95\": -0.95", StringComparison.Ordinal) + " }")}} ] }""");
        var falling = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("model 'helium': field 'bandQuantiles': offsets must rise", falling.Message);

        const string weibull = "{ \"id\": \"tube\", \"component\": \"compressor\", \"law\": \"weibull-usage\", \"signal\": \"compressor_hours_h\", \"eta\": 1000, \"beta\": 2 ";
        File.WriteAllText(file, $$"""{ "modality": "mri", "models": [ {{weibull}}, "bandQuantiles": { {{own}} } } ] }""");
        var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("model 'tube': field 'bandQuantiles': a weibull-usage model", ex.Message);
    }

    [Fact]
    public void Tables_by_age_extend_the_files_table_for_older_evidence_and_leave_a_models_own_table_alone()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "mri.json");
        const string young = "\"0.05\": -1.0, \"0.10\": -0.8, \"0.25\": -0.1, \"0.50\": 0.2, \"0.75\": 1.6, \"0.90\": 2.0, \"0.95\": 2.1";
        const string week = "\"0.05\": -0.9, \"0.10\": -0.5, \"0.25\": -0.2, \"0.50\": 0, \"0.75\": 0.1, \"0.90\": 0.6, \"0.95\": 1.8";
        const string month = "\"0.05\": -0.3, \"0.10\": -0.2, \"0.25\": -0.05, \"0.50\": 0, \"0.75\": 0.05, \"0.90\": 0.1, \"0.95\": 0.2";
        string File_(string aged, string own = "") =>
            $$"""{ "modality": "mri", "bandQuantiles": { {{young}} }, "bandQuantilesByAge": [ {{aged}} ], "models": [ {{Entry(own)}}, {{Entry("").Replace("\"helium\"", "\"helium-2\"", StringComparison.Ordinal)}} ] }""";
        var aged = $$"""{ "fromDays": 7, "bandQuantiles": { {{week}} }, "forecasts": 500 }, { "fromDays": 30, "bandQuantiles": { {{month}} } }""";

        File.WriteAllText(file, File_(aged));
        var helium = PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog).For(Modality.Mri).Single(m => m.Id == "helium");
        Assert.Equal([7.0, 30.0], helium.LaterBandQuantiles.Select(t => t.FromDays));
        Assert.Equal(0.2, helium.BandQuantilesAt(0)!.Q50);
        Assert.Equal(0.2, helium.BandQuantilesAt(6.99)!.Q50);
        Assert.Equal(0.6, helium.BandQuantilesAt(7)!.Q90);
        Assert.Equal(0.1, helium.BandQuantilesAt(29)!.Q75);
        Assert.Equal(0.2, helium.BandQuantilesAt(400)!.Q95);

        // A model with its own table keeps it at every age.
        File.WriteAllText(file, File_(aged, $"\"bandQuantiles\": {{ {month.Replace("-0.3", "-0.4", StringComparison.Ordinal)} }}"));
        var models = PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog).For(Modality.Mri);
        Assert.Empty(models.Single(m => m.Id == "helium").LaterBandQuantiles);
        Assert.Equal(-0.4, models.Single(m => m.Id == "helium").BandQuantilesAt(100)!.Q05);
        Assert.Equal(-0.3, models.Single(m => m.Id == "helium-2").BandQuantilesAt(100)!.Q05);

        foreach (var (bad, problem) in new[]
        {
            ($$"""{ "fromDays": 30, "bandQuantiles": { {{week}} } }, { "fromDays": 7, "bandQuantiles": { {{month}} } }""", "field 'bandQuantilesByAge[1].fromDays': must be later than the table before it (30)"),
            ($$"""{ "fromDays": 0, "bandQuantiles": { {{week}} } }""", "field 'bandQuantilesByAge[0].fromDays': needs a positive number of days"),
            ("""{ "fromDays": 7 }""", "field 'bandQuantilesByAge[0].bandQuantiles': required"),
            ($$"""{ "fromDays": 7, "bandQuantiles": { {{week.Replace("\"0.95\": 1.8", "\"0.95\": 0.5", StringComparison.Ordinal)}} } }""", "field 'bandQuantilesByAge[0].bandQuantiles': offsets must rise"),
        })
        {
            File.WriteAllText(file, File_(bad));
            var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
            Assert.Contains(problem, ex.Message);
        }

        File.WriteAllText(file, $$"""{ "modality": "mri", "bandQuantilesByAge": [ {{aged}} ], "models": [ {{Entry("")}} ] }""");
        var none = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("field 'bandQuantilesByAge': needs the file's 'bandQuantiles'", none.Message);
    }

    [Fact]
    public void After_crossing_days_are_read_per_file_and_per_model_and_negative_days_are_rejected()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "mri.json");
        const string pooled = "\"0.05\": 0.2, \"0.10\": 0.3, \"0.25\": 1.0, \"0.50\": 2.0, \"0.75\": 3.0, \"0.90\": 4.0, \"0.95\": 4.5";
        var models = FileAndModelTable(file, "afterCrossingDays", pooled, "\"0.05\": 1, \"0.10\": 2, \"0.25\": 3, \"0.50\": 4, \"0.75\": 5, \"0.90\": 6, \"0.95\": 7");
        Assert.Equal(new BandQuantiles(1, 2, 3, 4, 5, 6, 7), models.Single(m => m.Id == "helium").AfterCrossingDays);
        Assert.Equal(new BandQuantiles(0.2, 0.3, 1, 2, 3, 4, 4.5), models.Single(m => m.Id == "helium-2").AfterCrossingDays);

        File.WriteAllText(file, $$"""{ "modality": "mri", "afterCrossingDays": { {{pooled.Replace("\"0.05\": 0.2", "\"0.05\": -0.2", StringComparison.Ordinal)}} }, "models": [ {{Entry("")}} ] }""");
        var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("field 'afterCrossingDays': days after a crossing cannot be negative", ex.Message);

        File.WriteAllText(file, $$"""{ "modality": "mri", "models": [ {{Entry("\"afterCrossingDays\": { \"0.50\": 2 }")}} ] }""");
        ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("model 'helium': field 'afterCrossingDays': needs a finite offset", ex.Message);
    }

    [Theory]
    [InlineData("\"signal\": \"he_level\"", "signal", "'he_level' is not a signal")]
    [InlineData("\"component\": \"flux_capacitor\"", "component", "not a component")]
    [InlineData("\"law\": \"quadratic\"", "law", "'quadratic'")]
    [InlineData("\"direction\": \"sideways\"", "direction", "not above or below")]
    [InlineData("\"threshold\": null", "threshold", "missing")]
    [InlineData("\"windowDays\": 90", "windowDays", "(0, 60]")]
    [InlineData("\"minPoints\": 1", "minPoints", "at least 3")]
    [InlineData("\"relativeToBaseline\": true", "threshold", "positive for above, negative for below")]
    [InlineData("\"saturationDays\": -1", "saturationDays", "positive")]
    [InlineData("\"minDoublingDays\": 2", "minDoublingDays", "onset-exponential only")]
    [InlineData("\"clock\": { \"signal\": \"chilled_water_supply_c\", \"activationEnergyEv\": 0.6, \"referenceTempC\": 25 }", "clock", "linear and onset-linear laws only")]
    [InlineData("\"law\": \"onset-exponential\"", "direction", "use above")]
    [InlineData("\"resetCodes\": [\"MR-XX-999\"]", "resetCodes", "MR-XX-999")]
    public void Bad_model_is_rejected_naming_file_model_and_field(string change, string field, string problem)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "mri.json");
        File.WriteAllText(file, Model(change));

        var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));

        Assert.Contains(file, ex.Message);
        Assert.Contains("model 'helium'", ex.Message);
        Assert.Contains($"field '{field}'", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Poisson_model_with_an_unknown_code_is_rejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "ct.json"), """
            { "modality": "ct", "models": [ { "id": "arcs", "component": "tube_insert", "law": "poisson-rate",
              "codes": [ "CT-TUB-999" ], "threshold": 5, "direction": "above" } ] }
            """);

        var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));

        Assert.Contains("model 'arcs': field 'codes': 'CT-TUB-999'", ex.Message);
    }

    [Fact]
    public void Unknown_field_and_duplicate_ids_are_rejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "mri.json"), Model("\"treshold\": 40"));
        var typo = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("treshold", typo.Message);

        File.WriteAllText(Path.Combine(dir.Path, "mri.json"), $$"""{ "modality": "mri", "models": [ {{Entry("")}}, {{Entry("")}} ] }""");
        var twice = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));
        Assert.Contains("model 'helium': field 'id'", twice.Message);
    }

    private static string Model(string change) => $$"""{ "modality": "mri", "models": [ {{Entry(change)}} ] }""";

    /// <summary>A valid helium model with one field added or overridden (later JSON keys are rejected as duplicates, so replace).</summary>
    /// <summary>Writes a file with <paramref name="field"/> at the top and in the first of two models ("helium", "helium-2") and loads it.</summary>
    private static IReadOnlyList<PhysicsModel> FileAndModelTable(string file, string field, string fileTable, string modelTable)
    {
        var second = Entry("").Replace("\"helium\"", "\"helium-2\"", StringComparison.Ordinal);
        File.WriteAllText(file, $$"""{ "modality": "mri", "{{field}}": { {{fileTable}} }, "models": [ {{Entry($"\"{field}\": {{ {modelTable} }}")}}, {{second}} ] }""");
        return PhysicsConfigLoader.LoadDirectory(Path.GetDirectoryName(file)!, Synthetic.Catalog).For(Modality.Mri);
    }

    private static string Entry(string change)
    {
        var fields = new Dictionary<string, string>
        {
            ["id"] = "\"helium\"",
            ["component"] = "\"cryostat\"",
            ["law"] = "\"changepoint-linear\"",
            ["signal"] = "\"he_level_pct\"",
            ["threshold"] = "40",
            ["direction"] = "\"below\"",
        };
        if (change.Length > 0)
        {
            var key = change[1..change.IndexOf('"', 1)];
            fields[key] = change[(change.IndexOf(':') + 1)..].Trim();
        }

        return "{ " + string.Join(", ", fields.Select(kv => $"\"{kv.Key}\": {kv.Value}")) + " }";
    }
}
