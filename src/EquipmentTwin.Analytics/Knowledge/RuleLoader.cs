using System.Text.Json;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// Reads <c>config/rules/{modality}.json</c> (camelCase, comments and trailing commas allowed) and
/// validates every rule against the modality's catalog. Any problem throws
/// <see cref="RuleConfigException"/> naming the file, the rule and the field, so a bad rule stops the
/// service at start rather than silently never firing.
/// </summary>
public static class RuleLoader
{
    private const long MinuteMs = 60_000;
    private const long HourMs = DeviceHistory.HourMs;
    private const long DayMs = 24 * HourMs;

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly string[] CommonFields = ["id", "kind", "component", "severity", "message", "hidden", "while", "unless", "settleAfterRepair"];

    private static readonly Dictionary<RuleKind, string[]> KindFields = new()
    {
        [RuleKind.Threshold] = ["signal", "above", "below", "clear", "minDurationMinutes", "clearDurationMinutes", "stat"],
        [RuleKind.Rate] = ["signal", "windowHours", "slopePerDayBelow", "slopePerDayAbove", "clearSlopePerDay", "minPoints", "minSignificance", "minSignificanceBeyondLimit", "minDurationMinutes", "minSpanHours"],
        [RuleKind.BaselineDeviation] = ["signal", "windowHours", "baselineDays", "mode", "above", "below", "clear", "minPoints", "minBaselinePoints", "minus"],
        [RuleKind.EventCount] = ["codes", "count", "withinHours", "clearCount"],
        [RuleKind.All] = ["rules"],
        [RuleKind.Any] = ["rules"],
    };

    /// <summary>Loads every <c>*.json</c> in <paramref name="directory"/>; each file declares its modality.</summary>
    public static RuleSet LoadDirectory(string directory, SignalCatalog catalog)
    {
        if (!Directory.Exists(directory))
        {
            throw new RuleConfigException($"rules folder '{directory}' does not exist");
        }

        var byModality = new Dictionary<Modality, IReadOnlyList<Rule>>();
        var fileOf = new Dictionary<Modality, string>();
        foreach (var file in Directory.GetFiles(directory, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            var (modality, rules) = LoadFile(file, catalog);
            if (fileOf.TryGetValue(modality, out var other))
            {
                throw new RuleConfigException($"{file}: field 'modality': '{modality.ToWire()}' is already defined by {other}");
            }

            fileOf[modality] = file;
            byModality[modality] = rules;
        }

        return new RuleSet(byModality);
    }

    /// <summary>Loads one rule file; rules come back in evaluation order (combinations after what they reference).</summary>
    public static (Modality Modality, IReadOnlyList<Rule> Rules) LoadFile(string file, SignalCatalog catalog)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException ex)
        {
            throw new RuleConfigException($"{file}: cannot read: {ex.Message}", ex);
        }

        return Parse(text, file, catalog);
    }

    /// <summary>Parses rule-file text; <paramref name="file"/> only names it in errors.</summary>
    public static (Modality Modality, IReadOnlyList<Rule> Rules) Parse(string json, string file, SignalCatalog catalog)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new RuleConfigException($"{file}: not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RuleConfigException($"{file}: the file must hold an object with 'modality' and 'rules'");
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name is not ("modality" or "rules"))
                {
                    throw new RuleConfigException($"{file}: field '{p.Name}': unknown field (expected 'modality' and 'rules')");
                }
            }

            var modalityText = root.TryGetProperty("modality", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (!ModalityNames.TryParse(modalityText, out var modality))
            {
                throw new RuleConfigException($"{file}: field 'modality': '{modalityText}' is not mri, ct or xray");
            }

            var modalityCatalog = catalog.Find(modality)
                ?? throw new RuleConfigException($"{file}: field 'modality': no signal catalog for modality {modality.ToWire()}");

            if (!root.TryGetProperty("rules", out var rulesElement) || rulesElement.ValueKind != JsonValueKind.Array)
            {
                throw new RuleConfigException($"{file}: field 'rules': expected an array of rules");
            }

            var rules = new List<Rule>();
            var index = 0;
            foreach (var element in rulesElement.EnumerateArray())
            {
                var rule = new RuleReader(file, index, element, modalityCatalog).Read();
                if (rules.Any(r => r.Id == rule.Id))
                {
                    throw new RuleConfigException($"{file}: rule '{rule.Id}' field 'id': '{rule.Id}' is defined twice");
                }

                rules.Add(rule);
                index++;
            }

            return (modality, Order(file, rules));
        }
    }

    /// <summary>Checks combination references and puts every rule after the rules it references (depth-first).</summary>
    private static List<Rule> Order(string file, List<Rule> rules)
    {
        var byId = rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var c in rules.OfType<CombinationRule>())
        {
            foreach (var id in c.RuleIds)
            {
                if (id == c.Id)
                {
                    throw new RuleConfigException($"{file}: rule '{c.Id}' field 'rules': a rule cannot reference itself");
                }

                if (!byId.ContainsKey(id))
                {
                    throw new RuleConfigException($"{file}: rule '{c.Id}' field 'rules': '{id}' is not a rule of this file");
                }
            }
        }

        var ordered = new List<Rule>(rules.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        void Visit(Rule rule)
        {
            if (done.Contains(rule.Id))
            {
                return;
            }

            var at = path.IndexOf(rule.Id);
            if (at >= 0)
            {
                var cycle = string.Join(" -> ", path.Skip(at).Append(rule.Id));
                throw new RuleConfigException($"{file}: rule '{path[at]}' field 'rules': references form a cycle: {cycle}");
            }

            path.Add(rule.Id);
            if (rule is CombinationRule c)
            {
                foreach (var id in c.RuleIds)
                {
                    Visit(byId[id]);
                }
            }

            path.RemoveAt(path.Count - 1);
            done.Add(rule.Id);
            ordered.Add(rule);
        }

        foreach (var rule in rules)
        {
            Visit(rule);
        }

        return ordered;
    }

    /// <summary>Reads one rule object, failing with the file, rule and field in the message.</summary>
    private sealed class RuleReader(string file, int index, JsonElement element, ModalityCatalog catalog)
    {
        private string? _id;

        private string Where => _id is null ? $"{file}: rule #{index}" : $"{file}: rule '{_id}'";

        public Rule Read()
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new RuleConfigException($"{Where}: expected an object");
            }

            var id = RequiredString("id");
            if (!IsRuleId(id))
            {
                throw Fail("id", $"'{id}' must match [A-Za-z0-9_.-]{{1,64}}");
            }

            _id = id;
            var kindText = RequiredString("kind");
            if (!RuleKindNames.TryParse(kindText, out var kind))
            {
                throw Fail("kind", $"'{kindText}' is not one of {string.Join(", ", Enum.GetValues<RuleKind>().Select(k => k.ToConfig()))}");
            }

            var allowed = CommonFields.Concat(KindFields[kind]).ToHashSet(StringComparer.Ordinal);
            foreach (var p in element.EnumerateObject())
            {
                if (!allowed.Contains(p.Name))
                {
                    throw Fail(p.Name, $"unknown field for a {kind.ToConfig()} rule");
                }
            }

            var severityText = RequiredString("severity");
            if (!SeverityNames.TryParse(severityText, out var severity))
            {
                throw Fail("severity", $"'{severityText}' is not info, warning, error or critical");
            }

            var message = RequiredString("message");
            if (message.Trim().Length == 0)
            {
                throw Fail("message", "must not be empty");
            }

            if (!MessageTemplate.TryParse(message, out var placeholders, out var templateError))
            {
                throw Fail("message", templateError!);
            }

            var known = MessageTemplate.PlaceholdersFor(kind);
            if (placeholders.FirstOrDefault(p => !known.Contains(p)) is { } unknown)
            {
                throw Fail("message", $"placeholder '{{{unknown}}}' is not available to a {kind.ToConfig()} rule (use {string.Join(" ", known.Order(StringComparer.Ordinal).Select(k => "{" + k + "}"))})");
            }

            var hidden = OptionalBool("hidden") ?? false;
            var whileCondition = ReadWhile();
            var componentText = OptionalString("component");

            Rule rule = kind switch
            {
                RuleKind.Threshold => ReadThreshold(severity, message, hidden, whileCondition, componentText),
                RuleKind.Rate => ReadRate(severity, message, hidden, whileCondition, componentText),
                RuleKind.BaselineDeviation => ReadBaseline(severity, message, hidden, whileCondition, componentText),
                RuleKind.EventCount => ReadEventCount(severity, message, hidden, whileCondition, componentText),
                _ => ReadCombination(kind, severity, message, hidden, whileCondition, componentText),
            };

            if (!catalog.Components.ContainsKey(rule.Component))
            {
                throw Fail("component", $"'{rule.Component}' is not a component of modality {catalog.Modality.ToWire()}");
            }

            return ReadSettle() is { } settle ? rule with { SettleAfterRepair = settle } : rule;
        }

        private ThresholdRule ReadThreshold(Severity severity, string message, bool hidden, WhileCondition? whileCondition, string? component)
        {
            var signal = Signal("signal");
            var comparison = ReadComparison("above", "below", "clear", required: true)!.Value;
            var statText = OptionalString("stat") ?? "mean";
            var stat = statText switch
            {
                "mean" => BucketStat.Mean,
                "max" => BucketStat.Max,
                "min" => BucketStat.Min,
                _ => throw Fail("stat", $"'{statText}' is not mean, max or min"),
            };

            var minDuration = Duration("minDurationMinutes", MinuteMs);
            var clearDuration = Duration("clearDurationMinutes", MinuteMs);
            return new ThresholdRule(_id!, component ?? signal.Component, severity, message, hidden, whileCondition, signal.Name, comparison, stat, minDuration, clearDuration);
        }

        private RateRule ReadRate(Severity severity, string message, bool hidden, WhileCondition? whileCondition, string? component)
        {
            var signal = Signal("signal");
            var windowHours = Window("windowHours");
            var comparison = ReadComparison("slopePerDayAbove", "slopePerDayBelow", "clearSlopePerDay", required: true)!.Value;
            var minPoints = OptionalInt("minPoints") ?? Math.Max(3, ExpectedHourlyPoints(signal, windowHours) / 4);
            if (minPoints < 3)
            {
                throw Fail("minPoints", $"{minPoints} is too few for a slope with a standard error (at least 3)");
            }

            if (minPoints > windowHours + 1)
            {
                throw Fail("minPoints", $"{minPoints} hourly points can never fit in a {windowHours} h window");
            }

            var significance = OptionalNumber("minSignificance") ?? 3.0;
            if (significance < 0)
            {
                throw Fail("minSignificance", $"{significance} must be >= 0");
            }

            var beyond = OptionalNumber("minSignificanceBeyondLimit") ?? 0;
            if (beyond < 0 || !double.IsFinite(beyond))
            {
                throw Fail("minSignificanceBeyondLimit", $"{beyond} must be a number >= 0 (standard errors past the limit)");
            }

            var minSpanHours = OptionalInt("minSpanHours") ?? 0;
            if (minSpanHours < 0 || minSpanHours > windowHours)
            {
                throw Fail("minSpanHours", $"{minSpanHours} must be between 0 and the window's {windowHours} h");
            }

            return new RateRule(_id!, component ?? signal.Component, severity, message, hidden, whileCondition, signal.Name, windowHours * HourMs, comparison, minPoints, significance)
            {
                MinDurationMs = Duration("minDurationMinutes", MinuteMs),
                MinSpanMs = minSpanHours * HourMs,
                MinSignificanceBeyondLimit = beyond,
            };
        }

        private BaselineDeviationRule ReadBaseline(Severity severity, string message, bool hidden, WhileCondition? whileCondition, string? component)
        {
            var signal = Signal("signal");
            var windowHours = Window("windowHours");
            var baselineDaysValue = RequiredNumber("baselineDays");
            if (baselineDaysValue <= 0 || baselineDaysValue * 24 > DeviceHistory.HourCapacity)
            {
                throw Fail("baselineDays", $"{baselineDaysValue} must be above 0 and at most {DeviceHistory.HourCapacity / 24} (the hourly history kept)");
            }

            var baselineHours = (int)Math.Round(baselineDaysValue * 24);
            if (baselineHours < 1)
            {
                throw Fail("baselineDays", $"{baselineDaysValue} is shorter than one hour");
            }

            var modeText = OptionalString("mode") ?? "percent";
            var relative = modeText switch
            {
                "percent" => true,
                "absolute" => false,
                _ => throw Fail("mode", $"'{modeText}' is not percent or absolute"),
            };

            var comparison = ReadComparison("above", "below", "clear", required: true)!.Value;
            var minPoints = OptionalInt("minPoints") ?? Math.Max(1, ExpectedHourlyPoints(signal, windowHours) / 4);
            if (minPoints < 1 || minPoints > windowHours + 1)
            {
                throw Fail("minPoints", $"{minPoints} must be between 1 and the window's {windowHours + 1} hourly points");
            }

            var minBaselinePoints = OptionalInt("minBaselinePoints") ?? Math.Max(3, ExpectedHourlyPoints(signal, baselineHours) / 4);
            if (minBaselinePoints < 1 || minBaselinePoints > baselineHours)
            {
                throw Fail("minBaselinePoints", $"{minBaselinePoints} must be between 1 and the baseline's {baselineHours} hourly points");
            }

            var minus = OptionalString("minus") is { } reference ? Signal("minus") : null;
            if (minus is not null && relative)
            {
                throw Fail("minus", "a difference of signals needs mode absolute");
            }

            return new BaselineDeviationRule(_id!, component ?? signal.Component, severity, message, hidden, whileCondition, signal.Name,
                windowHours * HourMs, baselineHours * HourMs, relative, comparison, minPoints, minBaselinePoints)
            {
                Minus = minus?.Name,
            };
        }

        private EventCountRule ReadEventCount(Severity severity, string message, bool hidden, WhileCondition? whileCondition, string? component)
        {
            var codes = RequiredStringArray("codes");
            foreach (var code in codes)
            {
                if (catalog.FindEvent(code) is null)
                {
                    throw Fail("codes", $"'{code}' is not an event code of modality {catalog.Modality.ToWire()}");
                }
            }

            var count = OptionalInt("count") ?? throw Fail("count", "is required");
            if (count < 1 || count > EventHistory.RecentPerCode)
            {
                throw Fail("count", $"{count} must be between 1 and {EventHistory.RecentPerCode} (the events kept per code)");
            }

            var withinHours = RequiredNumber("withinHours");
            if (withinHours <= 0 || withinHours > EventHistory.Days * 24)
            {
                throw Fail("withinHours", $"{withinHours} must be above 0 and at most {EventHistory.Days * 24}");
            }

            var clearCount = OptionalNumber("clearCount") ?? count / 2.0;
            if (clearCount <= 0 || clearCount > count)
            {
                throw Fail("clearCount", $"{clearCount} must be above 0 and at most count {count}");
            }

            return new EventCountRule(_id!, component ?? catalog.FindEvent(codes[0])!.Component, severity, message, hidden, whileCondition,
                codes, count, (long)Math.Round(withinHours * HourMs), clearCount);
        }

        private CombinationRule ReadCombination(RuleKind kind, Severity severity, string message, bool hidden, WhileCondition? whileCondition, string? component)
        {
            var ids = RequiredStringArray("rules");
            if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
            {
                throw Fail("rules", "lists a rule twice");
            }

            return new CombinationRule(_id!, kind, component ?? throw Fail("component", "is required for an all/any rule"), severity, message, hidden, whileCondition, ids);
        }

        private WhileCondition? ReadWhile()
        {
            var hasWhile = element.TryGetProperty("while", out var w);
            var hasUnless = element.TryGetProperty("unless", out var u);
            if (hasWhile && hasUnless)
            {
                throw Fail("unless", "give either 'while' or 'unless', not both");
            }

            if (!hasWhile && !hasUnless)
            {
                return null;
            }

            var field = hasWhile ? "while" : "unless";
            var gate = hasWhile ? w : u;
            if (gate.ValueKind != JsonValueKind.Object)
            {
                throw Fail(field, "expected an object like {\"signal\": \"...\", \"above\": 5}");
            }

            foreach (var p in gate.EnumerateObject())
            {
                if (p.Name is not ("signal" or "above" or "below" or "maxAgeMinutes"))
                {
                    throw Fail($"{field}.{p.Name}", "unknown field (expected signal, above or below, maxAgeMinutes)");
                }
            }

            var inner = new RuleReader(file, index, gate, catalog) { _id = _id };
            var signal = inner.Signal("signal", field + ".");
            var comparison = inner.ReadComparison("above", "below", null, required: true, field + ".")!.Value;
            long? maxAge = gate.TryGetProperty("maxAgeMinutes", out _) ? inner.Duration("maxAgeMinutes", MinuteMs, field + ".") : null;
            return new WhileCondition(signal.Name, comparison, maxAge, Unless: hasUnless);
        }

        /// <summary>Exactly one of above/below, and a clear level on the side that gives hysteresis.</summary>
        private Comparison? ReadComparison(string aboveField, string belowField, string? clearField, bool required, string prefix = "")
        {
            var above = OptionalNumber(aboveField, prefix);
            var below = OptionalNumber(belowField, prefix);
            if (above is not null && below is not null)
            {
                throw Fail(prefix + aboveField, $"give either '{aboveField}' or '{belowField}', not both");
            }

            if (above is null && below is null)
            {
                return required ? throw Fail(prefix + aboveField, $"one of '{aboveField}' or '{belowField}' is required") : null;
            }

            var clear = clearField is null ? null : OptionalNumber(clearField, prefix);
            if (above is { } a)
            {
                if (clear is { } c && c > a)
                {
                    throw Fail(prefix + clearField, $"{c} must be at or below '{aboveField}' {a}: a rule that fires above a value clears below it");
                }

                return Comparison.Above(a, clear);
            }

            var b = below!.Value;
            if (clear is { } cb && cb < b)
            {
                throw Fail(prefix + clearField, $"{cb} must be at or above '{belowField}' {b}: a rule that fires below a value clears above it");
            }

            return Comparison.Below(b, clear);
        }

        private SignalDefinition Signal(string field, string prefix = "")
        {
            var name = RequiredString(field, prefix);
            return catalog.FindSignal(name) ?? throw Fail(prefix + field, $"'{name}' is not a signal of modality {catalog.Modality.ToWire()}");
        }

        private int Window(string field)
        {
            var hours = OptionalInt(field) ?? throw Fail(field, "is required (whole hours)");
            if (hours < 1 || hours > DeviceHistory.HourCapacity)
            {
                throw Fail(field, $"{hours} must be between 1 and {DeviceHistory.HourCapacity} (the hourly history kept)");
            }

            return hours;
        }

        private long Duration(string field, long unitMs, string prefix = "")
        {
            var v = OptionalNumber(field, prefix) ?? 0;
            if (v < 0)
            {
                throw Fail(prefix + field, $"{v} must be >= 0");
            }

            return (long)Math.Round(v * unitMs);
        }

        private static bool IsRuleId(string id) =>
            id.Length is > 0 and <= 64 && id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-');

        // Hourly points a window should hold: one per hour, or fewer for signals logged less often.
        private static int ExpectedHourlyPoints(SignalDefinition signal, int hours) =>
            (int)Math.Max(1, Math.Floor(hours * Math.Min(1.0, 3600.0 / Math.Max(1, signal.SampleSeconds))));

        private string RequiredString(string field, string prefix = "") =>
            OptionalString(field, prefix) ?? throw Fail(prefix + field, "is required");

        private string? OptionalString(string field, string prefix = "")
        {
            if (!element.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Fail(prefix + field, $"expected a string, found {Describe(v)}");
        }

        private double RequiredNumber(string field) => OptionalNumber(field) ?? throw Fail(field, "is required");

        private double? OptionalNumber(string field, string prefix = "")
        {
            if (!element.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d)
                ? d
                : throw Fail(prefix + field, $"expected a number, found {Describe(v)}");
        }

        private int? OptionalInt(string field)
        {
            if (!element.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
                ? i
                : throw Fail(field, $"expected a whole number, found {Describe(v)}");
        }

        private bool? OptionalBool(string field)
        {
            if (!element.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Fail(field, $"expected true or false, found {Describe(v)}"),
            };
        }

        /// <summary><c>"settleAfterRepair": {"of": [components], "hours": h}</c>, or null when absent.</summary>
        private RepairSettle? ReadSettle()
        {
            if (!element.TryGetProperty("settleAfterRepair", out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            const string field = "settleAfterRepair";
            if (v.ValueKind != JsonValueKind.Object)
            {
                throw Fail(field, $"expected an object {{\"of\": [components], \"hours\": h}}, found {Describe(v)}");
            }

            foreach (var p in v.EnumerateObject())
            {
                if (p.Name is not ("of" or "hours"))
                {
                    throw Fail(field, $"unknown field '{p.Name}' (use 'of' and 'hours')");
                }
            }

            if (!v.TryGetProperty("of", out var of) || of.ValueKind != JsonValueKind.Array || of.GetArrayLength() == 0)
            {
                throw Fail(field, "'of' is required: a non-empty array of components");
            }

            var components = new List<string>();
            foreach (var item in of.EnumerateArray())
            {
                var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                if (name is null || !catalog.Components.ContainsKey(name))
                {
                    throw Fail(field, $"'of': {(name is null ? Describe(item) : $"'{name}'")} is not a component of modality {catalog.Modality.ToWire()}");
                }

                components.Add(name);
            }

            if (!v.TryGetProperty("hours", out var h) || h.ValueKind != JsonValueKind.Number || !h.TryGetDouble(out var hours) || !double.IsFinite(hours) || hours <= 0 || hours > DeviceHistory.HourCapacity)
            {
                throw Fail(field, $"'hours' is required: a number above 0 and at most {DeviceHistory.HourCapacity} (the hourly history kept)");
            }

            return new RepairSettle(components, (long)Math.Round(hours * HourMs));
        }

        private List<string> RequiredStringArray(string field)
        {
            if (!element.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.Array)
            {
                throw Fail(field, "is required: a non-empty array of strings");
            }

            var list = new List<string>();
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
                {
                    throw Fail(field, $"expected strings, found {Describe(item)}");
                }

                list.Add(item.GetString()!);
            }

            return list.Count > 0 ? list : throw Fail(field, "must not be empty");
        }

        private static string Describe(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => $"\"{v.GetString()}\"",
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => v.ValueKind.ToString().ToLowerInvariant(),
        };

        private RuleConfigException Fail(string field, string problem) => new($"{Where} field '{field}': {problem}");
    }
}
