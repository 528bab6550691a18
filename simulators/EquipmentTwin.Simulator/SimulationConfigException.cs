namespace EquipmentTwin.Simulator;

/// <summary>A fleet or fault file is wrong; the message names the file and the field, e.g. <c>seeds/fleets/x.json: devices[3].modality 'pet' is not mri, ct or xray</c>.</summary>
public sealed class SimulationConfigException(string message, Exception? inner = null) : Exception(message, inner);
