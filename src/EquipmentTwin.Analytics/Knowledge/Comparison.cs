namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// "Above x, clear at or below c" or "below x, clear at or above c": a condition with hysteresis, so a
/// value dithering around the limit does not make a rule flap.
/// </summary>
public readonly record struct Comparison(bool IsAbove, double Limit, double Clear)
{
    public static Comparison Above(double limit, double? clear = null) => new(true, limit, clear ?? limit);

    public static Comparison Below(double limit, double? clear = null) => new(false, limit, clear ?? limit);

    public string Word => IsAbove ? "above" : "below";

    /// <summary>The value is past the limit (strictly).</summary>
    public bool Holds(double value) => IsAbove ? value > Limit : value < Limit;

    /// <summary>How far the value lies past the limit (negative when it does not reach it).</summary>
    public double Beyond(double value) => IsAbove ? value - Limit : Limit - value;

    /// <summary>The value is back at or past the clear level.</summary>
    public bool Cleared(double value) => IsAbove ? value <= Clear : value >= Clear;
}
