using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Catalog;

/// <summary>A signal a modality logs: unit, normal range and the component it describes.</summary>
public sealed record SignalDefinition(
    string Name,
    string Unit,
    string Component,
    double? NormalMin,
    double? NormalMax,
    double SampleSeconds,
    bool Cumulative,
    string Description)
{
    /// <summary>Sent only while the device is in use (per scan, exposure or sequence): silence between uses is not a dropout.</summary>
    public bool DuringUseOnly { get; init; }

    /// <summary>
    /// Counts how much the device is used (scan seconds, mAs, rotations, exposures), not how it is: a change in such
    /// counters alone is a change of work (a busier site, a device down), not a sign of wear.
    /// </summary>
    public bool Workload { get; init; }

    public bool IsInNormalRange(double value) =>
        (NormalMin is not { } min || value >= min) && (NormalMax is not { } max || value <= max);
}

/// <summary>An event code a modality logs, with its default severity.</summary>
public sealed record EventDefinition(string Code, Severity Severity, string Component, string Text);

/// <summary>A replaceable or serviceable part of a device; components of one <see cref="Unit"/> (an X-ray tube with its cathode and anode bearing) are replaced together.</summary>
public sealed record ComponentDefinition(string Id, string Name, string Description, string? Unit = null)
{
    /// <summary>
    /// Components this one supplies (the compressor feeds the cold head, the water loop the compressor): a fault here
    /// moves their signals too, so a learned model that sees both should blame this one.
    /// </summary>
    public IReadOnlyList<string> Feeds { get; init; } = [];
}
