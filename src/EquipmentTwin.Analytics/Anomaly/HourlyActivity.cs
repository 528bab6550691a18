using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// How busy a device was, hour by hour, over the last day: the count of info events it logged (exams, scans,
/// sequences and exposures start and end with one), which is the usage the level features are adjusted for.
/// A ring of <see cref="Hours"/> hours; an hour not seen counts as idle.
/// </summary>
internal sealed class HourlyActivity
{
    /// <summary>Hours kept: the slope span and the hour before its first.</summary>
    public const int Hours = 26;

    private readonly long[] _starts = new long[Hours];
    private readonly int[] _counts = new int[Hours];
    private int _current;

    public HourlyActivity()
    {
        Array.Fill(_starts, long.MinValue);
    }

    public void OnInfoEvent() => _current++;

    /// <summary>Closes the hour ending at <paramref name="hourEndMs"/> with the events counted since the last close.</summary>
    public void CloseHour(long hourEndMs)
    {
        var start = hourEndMs - DeviceHistory.HourMs;
        var i = Slot(start);
        _starts[i] = start;
        _counts[i] = _current;
        _current = 0;
    }

    /// <summary>Info events in the hour starting at <paramref name="hourStartMs"/> (0 when it is not in the ring).</summary>
    public int At(long hourStartMs)
    {
        var i = Slot(hourStartMs);
        return _starts[i] == hourStartMs ? _counts[i] : 0;
    }

    private static int Slot(long hourStartMs) => (int)((((hourStartMs / DeviceHistory.HourMs) % Hours) + Hours) % Hours);
}
