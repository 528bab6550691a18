using System.ComponentModel.DataAnnotations;

namespace EquipmentTwin.Service.Analytics;

/// <summary>Section <c>Analytics</c>.</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>Run the engines on ingested data.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>At start-up, replay this many days of each device's stored log to rebuild engine state.</summary>
    [Range(0, 60)]
    public int ReplayDays { get; set; } = 7;

    /// <summary>Committed ingest writes waiting for analytics; when full, ingest waits.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Folder of rules (<c>{modality}.json</c>); default config/rules beside the program.</summary>
    public string? RulesDirectory { get; set; }

    /// <summary>Folder of physics models; default config/physics beside the program.</summary>
    public string? PhysicsDirectory { get; set; }

    /// <summary>Folder of trained models (<c>{modality}/anomaly/v{N}.zip</c>); default models beside the program.</summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>How often the registry is read for champions changed elsewhere (<c>twin models promote|rollback</c> on the same store).</summary>
    [Range(1, 3600)]
    public int ModelPollSeconds { get; set; } = 5;

    /// <summary>
    /// Event-time hours a newly promoted model warms up beside the one it replaces (which keeps speaking meanwhile):
    /// the anomaly model needs its baseline days of the device's data before its scores mean anything. 0: at once.
    /// </summary>
    [Range(0, 24 * 60)]
    public int ModelWarmupHours { get; set; } = 24 * 7;

    /// <summary>A RUL band whose P10 is within this many days (event time) is evidence that the component's failure is near.</summary>
    [Range(1, 3650)]
    public double RulHorizonDays { get; set; } = EquipmentTwin.Analytics.Rul.RulEngine.DefaultHorizonDays;

    /// <summary>Days of daily means kept at each end of a long unit for the RUL models (never fewer than a model's longest window).</summary>
    [Range(2, 3650)]
    public int RulKeepDays { get; set; } = EquipmentTwin.Analytics.Rul.RulEngine.DefaultKeepDays;

    public string Resolve(string? configured, params string[] fallback) =>
        configured is { Length: > 0 } d ? d : Path.Combine([AppContext.BaseDirectory, .. fallback]);
}
