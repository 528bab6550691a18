namespace EquipmentTwin.Service.Alerts;

/// <summary>What an engineer does to an alert.</summary>
public enum AlertAction
{
    Acknowledge,
    Resolve,
    FalseAlarm,
}
