namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>A rule file is missing or wrong; the message names the file, the rule (id or index) and the field.</summary>
public sealed class RuleConfigException(string message, Exception? inner = null) : Exception(message, inner);
