namespace EquipmentTwin.Simulator.Simulation;

/// <summary>What really happened in a run: every injected fault with its onset, failure and repair, and every maintenance record. Times are RFC 3339 UTC.</summary>
public sealed record GroundTruth(
    string Fleet,
    int Seed,
    string Start,
    string End,
    IReadOnlyList<GroundTruthDevice> Devices,
    IReadOnlyList<GroundTruthFault> Faults,
    IReadOnlyList<GroundTruthMaintenance> Maintenance);

public sealed record GroundTruthDevice(string Id, string Site, string Modality, string Vendor, string Model);

/// <summary>An injected fault. Kind is <c>machine</c> or <c>sensor</c>; failure is null for sensor faults and for faults that had not failed by the end.</summary>
public sealed record GroundTruthFault(
    string Id,
    string Device,
    string Component,
    string Scenario,
    string Kind,
    string Onset,
    string? Failure,
    string? Repair,
    IReadOnlyList<string> Signals);

public sealed record GroundTruthMaintenance(string Device, string Ts, string Component, string Action, string? Text);
