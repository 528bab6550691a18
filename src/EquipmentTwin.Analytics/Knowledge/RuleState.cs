using EquipmentTwin.Analytics.Engines;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>What one rule remembers for one device: a fixed handful of fields, whatever runs through it.</summary>
internal sealed class RuleState(Rule rule)
{
    public Rule Rule { get; } = rule;

    public bool Active;
    public long SinceMs;
    public long UpdatedMs;

    /// <summary>Start of the current run of buckets past the limit (threshold) — the "for 2 h" in the message.</summary>
    public long? ConditionSinceMs;

    /// <summary>Start of the current run of buckets at or past the clear level (threshold).</summary>
    public long? ClearSinceMs;

    /// <summary>Start of the previous bucket evaluated (threshold); a longer gap breaks a run.</summary>
    public long? LastBucketStartMs;

    /// <summary>Repair or replacement of the rule's component; nothing before it counts.</summary>
    public long ResetMs = long.MinValue;

    /// <summary>Until when the rule may not fire: a repair it settles after (<see cref="Rule.SettleAfterRepair"/>).</summary>
    public long QuietUntilMs = long.MinValue;

    /// <summary>Where baseline learning starts (first data, or the first whole hour after a reset).</summary>
    public long? LearnStartMs;

    public double? Baseline;

    // The figures the message renders.
    public double Value;
    public double Rate;
    public double Deviation;
    public int Count;
    public Reading[] Readings = [];

    /// <summary>Combinations: indexes of the referenced rules' states.</summary>
    public int[] Children = [];

    public void Reset(long ms)
    {
        Active = false;
        ConditionSinceMs = null;
        ClearSinceMs = null;
        LastBucketStartMs = null;
        LearnStartMs = null;
        Baseline = null;
        Readings = [];
        ResetMs = ms;
    }
}
