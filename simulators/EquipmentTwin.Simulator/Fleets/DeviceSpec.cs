using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Simulator.Fleets;

/// <summary>One simulated device as the fleet file describes it: nameplate, site, usage, service plan and injected faults.</summary>
public sealed record DeviceSpec
{
    public required string Id { get; init; }
    public required string Site { get; init; }
    public required Modality Modality { get; init; }
    public required string Vendor { get; init; }
    public required string Model { get; init; }
    public required string Serial { get; init; }

    /// <summary>Install date, <c>yyyy-MM-dd</c>.</summary>
    public string? Installed { get; init; }

    public string? Software { get; init; }

    /// <summary>Mobile unit (X-ray): battery powered, moved between wards.</summary>
    public bool Mobile { get; init; }

    /// <summary>MRI: zero-boil-off magnet (no net loss while the cold head works); false for a legacy magnet with a small residual boil-off.</summary>
    public bool ZeroBoilOff { get; init; } = true;

    /// <summary>MRI: liquid-helium inventory of the cryostat in litres (domain.md §1: conventional 1,500–1,700 L).</summary>
    public double HeliumCapacityLitres { get; init; } = 1600;

    /// <summary>Mean exams on a weekday / on a weekend day; null takes the modality default.</summary>
    public double? ExamsPerWeekday { get; init; }

    public double? ExamsPerWeekendDay { get; init; }

    /// <summary>Hours east of UTC of the site's local time, used for the exam schedule.</summary>
    public double UtcOffsetHours { get; init; }

    /// <summary>Days between scheduled service visits; 0 disables them.</summary>
    public double ServiceIntervalDays { get; init; } = 180;

    /// <summary>Day (from the simulation start) of the first scheduled visit; null spreads visits by device.</summary>
    public double? ServiceOffsetDays { get; init; }

    public IReadOnlyList<FaultAssignment> Faults { get; init; } = [];

    /// <summary>Exams per hour outside opening hours (a site that scans at night); null: the modality's default.</summary>
    public double? NightExamsPerHour { get; init; }

    /// <summary>Day (from the simulation start) from which <see cref="NightExamsPerHour"/> applies; before it the modality's default (a site that starts scanning at night).</summary>
    public double NightExamsFromDays { get; init; }

    /// <summary>Share of the usual day exams before <see cref="RampUpDays"/> (a new site ramping up, or holiday weeks); 1: none.</summary>
    public double RampUpShare { get; init; } = 1;

    /// <summary>Day (from the simulation start) until which <see cref="RampUpShare"/> applies.</summary>
    public double RampUpDays { get; init; }

    /// <summary>Multiplies the σ of every sensor's noise (1: the modality's default).</summary>
    public double NoiseScale { get; init; } = 1;

    public Nameplate ToNameplate() => new(Modality, Vendor, Model, Serial, Installed, Software);
}
