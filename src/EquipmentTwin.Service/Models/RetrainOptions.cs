using System.ComponentModel.DataAnnotations;

namespace EquipmentTwin.Service.Models;

/// <summary>Section <c>Models:Retrain</c>: the retraining schedule and how much of the store a retrain reads.</summary>
public sealed class RetrainOptions
{
    public const string Section = "Models:Retrain";

    /// <summary>Retrain this often (e.g. <c>7.00:00:00</c>); unset: no schedule, only <c>POST /api/models/retrain</c>.</summary>
    public TimeSpan? Every { get; set; }

    /// <summary>Retrain once a day at this UTC time of day (e.g. <c>02:30</c>); unset: no daily run.</summary>
    public TimeOnly? At { get; set; }

    /// <summary>Days of each device's stored log, up to its newest record, that a retrain reads.</summary>
    [Range(8, 3650)]
    public int Days { get; set; } = 120;
}
