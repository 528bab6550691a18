namespace EquipmentTwin.Analytics.Physics;

/// <summary>A physics configuration file is missing or wrong; the message names the file, the model and the field.</summary>
public sealed class PhysicsConfigException(string message, Exception? inner = null) : Exception(message, inner);
