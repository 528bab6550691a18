using System.Globalization;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Simulator.Fleets;

/// <summary>Loads and checks a fleet file; every error names the file and the field.</summary>
public static class FleetLoader
{
    public static FleetDefinition Load(string path)
    {
        using var doc = JsonFields.Parse(path);
        var root = new JsonFields(path, doc.RootElement, "");
        if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            throw new SimulationConfigException($"{path}: a fleet file is a JSON object");
        }

        var name = root.RequiredString("name");
        DateTimeOffset? start = null;
        if (root.OptionalString("start") is { } s)
        {
            start = WireCodec.TryParseRfc3339(s, out var t) ? t : throw root.Error("start", $"'{s}' is not an RFC 3339 time");
        }

        var days = root.Has("days") ? root.Positive("days", 1) : (double?)null;

        var sites = new List<SiteSpec>();
        foreach (var site in root.Array("sites", required: true))
        {
            var id = site.RequiredString("id");
            if (!Topics.IsValidSegment(id))
            {
                throw site.Error("id", $"'{id}' must match [A-Za-z0-9_-]{{1,64}}");
            }

            if (sites.Any(x => x.Id == id))
            {
                throw site.Error("id", $"'{id}' is defined twice");
            }

            var offset = site.OptionalDouble("utcOffsetHours") ?? 0;
            if (offset is < -12 or > 14)
            {
                throw site.Error("utcOffsetHours", $"{offset.ToString(CultureInfo.InvariantCulture)} is not between -12 and 14");
            }

            sites.Add(new SiteSpec(id, site.OptionalString("name") ?? id, offset));
        }

        var defaults = root.OptionalObject("defaults");
        var defaultInterval = defaults?.NonNegative("serviceIntervalDays", 180) ?? 180;
        var defaultRepair = defaults?.OptionalObject("repair") is { } dr ? ReadRepair(dr, RepairPolicy.Default) : RepairPolicy.Default;

        var devices = new List<DeviceSpec>();
        foreach (var d in root.Array("devices", required: true))
        {
            var id = d.RequiredString("id");
            if (!Topics.IsValidSegment(id))
            {
                throw d.Error("id", $"'{id}' must match [A-Za-z0-9_-]{{1,64}}");
            }

            if (devices.Any(x => x.Id == id))
            {
                throw d.Error("id", $"'{id}' is defined twice");
            }

            var siteId = d.RequiredString("site");
            var site = sites.FirstOrDefault(x => x.Id == siteId) ?? throw d.Error("site", $"'{siteId}' is not one of the file's sites");
            var modalityText = d.RequiredString("modality");
            if (!ModalityNames.TryParse(modalityText, out var modality))
            {
                throw d.Error("modality", $"'{modalityText}' is not mri, ct or xray");
            }

            if (d.OptionalString("installed") is { } installed && !DateOnly.TryParseExact(installed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                throw d.Error("installed", $"'{installed}' is not a yyyy-MM-dd date");
            }

            var usage = d.OptionalObject("usage");
            var repair = d.OptionalObject("repair") is { } r ? ReadRepair(r, defaultRepair) : defaultRepair;
            var faults = new List<FaultAssignment>();
            foreach (var f in d.Array("faults"))
            {
                var duration = f.Has("durationDays") ? f.Positive("durationDays", 1) : (double?)null;
                faults.Add(new FaultAssignment
                {
                    Scenario = f.RequiredString("scenario"),
                    OnsetDays = f.RequiredDouble("onsetDays"),
                    DurationDays = duration,
                    Component = f.OptionalString("component"),
                    Repair = f.OptionalObject("repair") is { } fr ? ReadRepair(fr, repair) : repair,
                    Path = f.Path,
                });
            }

            devices.Add(new DeviceSpec
            {
                Id = id,
                Site = site.Id,
                Modality = modality,
                Vendor = d.RequiredString("vendor"),
                Model = d.RequiredString("model"),
                Serial = d.OptionalString("serial") ?? id.ToUpperInvariant(),
                Installed = d.OptionalString("installed"),
                Software = d.OptionalString("software"),
                Mobile = d.OptionalBool("mobile", false),
                ZeroBoilOff = d.OptionalBool("zeroBoilOff", true),
                HeliumCapacityLitres = d.Positive("heliumCapacityLitres", 1600),
                ExamsPerWeekday = usage?.Has("examsPerWeekday") == true ? usage.Value.NonNegative("examsPerWeekday", 0) : null,
                ExamsPerWeekendDay = usage?.Has("examsPerWeekendDay") == true ? usage.Value.NonNegative("examsPerWeekendDay", 0) : null,
                NightExamsPerHour = usage?.Has("nightExamsPerHour") == true ? usage.Value.NonNegative("nightExamsPerHour", 0) : null,
                NightExamsFromDays = usage?.Has("nightExamsFromDays") == true ? usage.Value.NonNegative("nightExamsFromDays", 0) : 0,
                RampUpShare = usage?.Has("rampUpShare") == true ? usage.Value.NonNegative("rampUpShare", 1) : 1,
                RampUpDays = usage?.Has("rampUpDays") == true ? usage.Value.NonNegative("rampUpDays", 0) : 0,
                NoiseScale = d.Has("noiseScale") ? d.Positive("noiseScale", 1) : 1,
                UtcOffsetHours = site.UtcOffsetHours,
                ServiceIntervalDays = d.NonNegative("serviceIntervalDays", defaultInterval),
                ServiceOffsetDays = d.Has("serviceOffsetDays") ? d.NonNegative("serviceOffsetDays", 0) : null,
                Faults = faults,
            });
        }

        if (devices.Count == 0)
        {
            throw root.Error("devices", "must list at least one device");
        }

        return new FleetDefinition
        {
            Name = name,
            SourcePath = path,
            Description = root.OptionalString("description"),
            Start = start,
            Days = days,
            Sites = sites,
            Devices = devices,
        };
    }

    private static RepairPolicy ReadRepair(JsonFields r, RepairPolicy fallback)
    {
        var kind = fallback.Kind;
        if (r.OptionalString("policy") is { } p)
        {
            kind = p switch
            {
                "repair" => RepairKind.Repair,
                "none" => RepairKind.None,
                _ => throw r.Error("policy", $"'{p}' is not repair or none"),
            };
        }

        return new RepairPolicy(kind, r.NonNegative("delayHours", fallback.DelayHours));
    }
}
