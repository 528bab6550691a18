using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Simulation;

/// <summary>
/// One device over one tick [FromMs, ToMs) of event time: its log records sorted by time, and the maintenance
/// records engineers entered in that tick. The lists are buffers owned by the simulator and reused for the
/// device's next tick: they stay valid until the enumerator moves past the last device of this tick, so a
/// consumer copies what it keeps.
/// </summary>
public sealed record SimulationStep(DeviceSpec Device, long FromMs, long ToMs, IReadOnlyList<LogRecord> Records, IReadOnlyList<MaintenanceRecord> Maintenance);
