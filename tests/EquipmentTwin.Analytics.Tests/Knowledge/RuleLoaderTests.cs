using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class RuleLoaderTests
{
    private const string Good = """
        { "id": "mr-he-low", "kind": "threshold", "component": "cryostat", "severity": "warning",
          "signal": "he_level_pct", "below": 60, "clear": 63, "minDurationMinutes": 120, "message": "He {value} {unit}" }
        """;

    private static string Write(TempDirectory dir, string name, string content)
    {
        var rulesDir = Path.Combine(dir.Path, "config", "rules");
        Directory.CreateDirectory(rulesDir);
        File.WriteAllText(Path.Combine(rulesDir, name), content);
        return rulesDir;
    }

    private static RuleConfigException LoadFails(params string[] rules)
    {
        using var dir = new TempDirectory("rules");
        var rulesDir = Write(dir, "mri.json", $$"""{ "modality": "mri", "rules": [ {{string.Join(",", rules)}} ] }""");
        return Assert.Throws<RuleConfigException>(() => RuleLoader.LoadDirectory(rulesDir, RuleHarness.Catalog));
    }

    [Fact]
    public void Unknown_signal_names_the_file_the_rule_and_the_field()
    {
        var ex = LoadFails(Good.Replace("he_level_pct", "he_lvl"));

        Assert.EndsWith(Path.Combine("config", "rules", "mri.json") + ": rule 'mr-he-low' field 'signal': 'he_lvl' is not a signal of modality mri", ex.Message);
    }

    [Theory]
    [InlineData("""{ "id": "a", "kind": "thresold", "severity": "warning", "message": "m" }""", "rule 'a' field 'kind': 'thresold' is not one of threshold, rate, baseline-deviation, event-count, all, any")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "clear": 26, "message": "m" }""", "rule 'a' field 'clear': 26 must be at or below 'above' 24")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "he_level_pct", "below": 60, "clear": 55, "message": "m" }""", "rule 'a' field 'clear': 55 must be at or above 'below' 60")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "below": 10, "message": "m" }""", "rule 'a' field 'above': give either 'above' or 'below', not both")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "message": "m" }""", "rule 'a' field 'above': one of 'above' or 'below' is required")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "minDurationMinutes": -5, "message": "m" }""", "rule 'a' field 'minDurationMinutes': -5 must be >= 0")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": "24", "message": "m" }""", "rule 'a' field 'above': expected a number, found \"24\"")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "abov": 24, "message": "m" }""", "rule 'a' field 'abov': unknown field for a threshold rule")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "urgent", "signal": "room_temp_c", "above": 24, "message": "m" }""", "rule 'a' field 'severity': 'urgent' is not info, warning, error or critical")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "component": "flux_capacitor", "signal": "room_temp_c", "above": 24, "message": "m" }""", "rule 'a' field 'component': 'flux_capacitor' is not a component of modality mri")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "message": "Room at {temperature}" }""", "rule 'a' field 'message': placeholder '{temperature}' is not available to a threshold rule")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "message": "Room at {value" }""", "rule 'a' field 'message': unclosed '{'")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "stat": "median", "message": "m" }""", "rule 'a' field 'stat': 'median' is not mean, max or min")]
    [InlineData("""{ "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "message": "m" }""", "rule #0 field 'id': is required")]
    [InlineData("""{ "id": "a b", "kind": "threshold", "severity": "warning", "signal": "room_temp_c", "above": 24, "message": "m" }""", "rule #0 field 'id': 'a b' must match")]
    [InlineData("""{ "id": "a", "kind": "event-count", "severity": "error", "codes": ["CT-TUB-101"], "count": 3, "withinHours": 24, "message": "m" }""", "rule 'a' field 'codes': 'CT-TUB-101' is not an event code of modality mri")]
    [InlineData("""{ "id": "a", "kind": "event-count", "severity": "error", "codes": ["MR-GRD-501"], "count": 0, "withinHours": 24, "message": "m" }""", "rule 'a' field 'count': 0 must be between 1 and 512")]
    [InlineData("""{ "id": "a", "kind": "event-count", "severity": "error", "codes": ["MR-GRD-501"], "count": 4, "withinHours": 24, "clearCount": 5, "message": "m" }""", "rule 'a' field 'clearCount': 5 must be above 0 and at most count 4")]
    [InlineData("""{ "id": "a", "kind": "event-count", "severity": "error", "codes": [], "count": 4, "withinHours": 24, "message": "m" }""", "rule 'a' field 'codes': must not be empty")]
    [InlineData("""{ "id": "a", "kind": "rate", "severity": "error", "signal": "he_level_pct", "windowHours": 0, "slopePerDayBelow": -0.5, "message": "m" }""", "rule 'a' field 'windowHours': 0 must be between 1 and 1440")]
    [InlineData("""{ "id": "a", "kind": "rate", "severity": "error", "signal": "he_level_pct", "windowHours": 48, "slopePerDayBelow": -0.5, "clearSlopePerDay": -1, "message": "m" }""", "rule 'a' field 'clearSlopePerDay': -1 must be at or above 'slopePerDayBelow' -0.5")]
    [InlineData("""{ "id": "a", "kind": "rate", "severity": "error", "signal": "he_level_pct", "windowHours": 10, "slopePerDayBelow": -0.5, "minPoints": 30, "message": "m" }""", "rule 'a' field 'minPoints': 30 hourly points can never fit in a 10 h window")]
    [InlineData("""{ "id": "a", "kind": "baseline-deviation", "severity": "error", "signal": "he_level_pct", "windowHours": 24, "baselineDays": 90, "above": 5, "message": "m" }""", "rule 'a' field 'baselineDays': 90 must be above 0 and at most 60")]
    [InlineData("""{ "id": "a", "kind": "baseline-deviation", "severity": "error", "signal": "he_level_pct", "windowHours": 24, "baselineDays": 7, "mode": "ratio", "above": 5, "message": "m" }""", "rule 'a' field 'mode': 'ratio' is not percent or absolute")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "rf_reflected_pct", "above": 10, "while": { "signal": "rf_fwd", "above": 1 }, "message": "m" }""", "rule 'a' field 'while.signal': 'rf_fwd' is not a signal of modality mri")]
    [InlineData("""{ "id": "a", "kind": "threshold", "severity": "warning", "signal": "rf_reflected_pct", "above": 10, "while": { "signal": "rf_forward_w" }, "message": "m" }""", "rule 'a' field 'while.above': one of 'above' or 'below' is required")]
    [InlineData("""{ "id": "a", "kind": "all", "severity": "error", "rules": ["x"], "message": "m" }""", "rule 'a' field 'component': is required for an all/any rule")]
    [InlineData("""{ "id": "a", "kind": "any", "component": "room", "severity": "error", "rules": ["nope"], "message": "m" }""", "rule 'a' field 'rules': 'nope' is not a rule of this file")]
    [InlineData("""{ "id": "a", "kind": "any", "component": "room", "severity": "error", "rules": ["a"], "message": "m" }""", "rule 'a' field 'rules': a rule cannot reference itself")]
    public void Bad_rules_are_refused_with_file_rule_and_field(string rule, string expected)
    {
        var ex = LoadFails(rule);

        Assert.Contains("mri.json: " + expected, ex.Message);
    }

    [Fact]
    public void Duplicate_ids_are_refused()
    {
        var ex = LoadFails(Good, Good);

        Assert.EndsWith("mri.json: rule 'mr-he-low' field 'id': 'mr-he-low' is defined twice", ex.Message);
    }

    [Fact]
    public void Cyclic_combinations_are_refused_naming_the_cycle()
    {
        var ex = LoadFails(
            """{ "id": "a", "kind": "all", "component": "room", "severity": "error", "rules": ["b"], "message": "m" }""",
            """{ "id": "b", "kind": "any", "component": "room", "severity": "error", "rules": ["c", "mr-he-low"], "message": "m" }""",
            """{ "id": "c", "kind": "any", "component": "room", "severity": "error", "rules": ["a"], "message": "m" }""",
            Good);

        Assert.EndsWith("mri.json: rule 'a' field 'rules': references form a cycle: a -> b -> c -> a", ex.Message);
    }

    [Fact]
    public void Broken_json_and_a_wrong_modality_name_the_file()
    {
        using var dir = new TempDirectory("rules");
        var rulesDir = Write(dir, "ct.json", """{ "modality": "ct", "rules": [ { "id": "a", } """);
        var ex = Assert.Throws<RuleConfigException>(() => RuleLoader.LoadDirectory(rulesDir, RuleHarness.Catalog));
        Assert.Contains("ct.json: not valid JSON", ex.Message);

        File.WriteAllText(Path.Combine(rulesDir, "ct.json"), """{ "modality": "pet", "rules": [] }""");
        ex = Assert.Throws<RuleConfigException>(() => RuleLoader.LoadDirectory(rulesDir, RuleHarness.Catalog));
        Assert.EndsWith("ct.json: field 'modality': 'pet' is not mri, ct or xray", ex.Message);
    }

    [Fact]
    public void Comments_trailing_commas_and_defaults_are_accepted()
    {
        var (modality, rules) = RuleLoader.Parse("""
            // a comment
            { "modality": "mri", "rules": [
                /* block comment */
                { "id": "r", "kind": "threshold", "severity": "warn", "signal": "he_level_pct", "below": 60, "message": "m", },
            ], }
            """, "inline.json", RuleHarness.Catalog);

        Assert.Equal(Modality.Mri, modality);
        var r = Assert.IsType<ThresholdRule>(Assert.Single(rules));
        Assert.Equal(("cryostat", Severity.Warning, BucketStat.Mean, 0L, 0L, 60.0), (r.Component, r.Severity, r.Stat, r.MinDurationMs, r.ClearDurationMs, r.Comparison.Clear));
    }

    [Fact]
    public void Combinations_come_after_the_rules_they_reference()
    {
        var (_, rules) = RuleLoader.Parse("""
            { "modality": "mri", "rules": [
              { "id": "top", "kind": "any", "component": "room", "severity": "error", "rules": ["mid", "leaf1"], "message": "m" },
              { "id": "mid", "kind": "all", "component": "room", "severity": "error", "rules": ["leaf1", "leaf2"], "message": "m" },
              { "id": "leaf1", "kind": "threshold", "severity": "info", "signal": "room_temp_c", "above": 24, "message": "m" },
              { "id": "leaf2", "kind": "threshold", "severity": "info", "signal": "room_rh_pct", "above": 65, "message": "m" } ] }
            """, "inline.json", RuleHarness.Catalog);

        Assert.Equal(["leaf1", "leaf2", "mid", "top"], rules.Select(r => r.Id));
    }

    [Fact]
    public void The_shipped_rule_files_load_against_the_shipped_catalogs()
    {
        var set = RuleLoader.LoadDirectory(Path.Combine(RepoPaths.Root, "config", "rules"), RuleHarness.Catalog);

        Assert.Equal([Modality.Mri, Modality.Ct, Modality.Xray], set.Modalities.Order());
        foreach (var modality in set.Modalities)
        {
            var rules = set.For(modality);
            Assert.InRange(rules.Count, 10, 25);
            Assert.All(rules, r => Assert.StartsWith(modality switch { Modality.Mri => "mr-", Modality.Ct => "ct-", _ => "xr-" }, r.Id));
            Assert.Contains(rules, r => r.Kind == RuleKind.Threshold);
            Assert.Contains(rules, r => r.Kind == RuleKind.EventCount);
        }

        // The kinds the brief asks for are all exercised by the shipped set.
        var kinds = set.Modalities.SelectMany(set.For).Select(r => r.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<RuleKind>().ToHashSet(), kinds);
    }
}
