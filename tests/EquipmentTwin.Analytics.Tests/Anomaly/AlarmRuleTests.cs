using EquipmentTwin.Analytics.Anomaly;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

public class AlarmRuleTests
{
    // Windows:          0  1  2  3  4  5  6  7  8  9 10 11 12 13
    private static readonly double[] Scores = [0, 5, 5, 0, 5, 5, 5, 0, 0, 0, 0, 5, 5, 5];

    [Fact]
    public void Three_of_four_above_raise_four_below_withdraw_and_an_alarm_counts_once_it_is_old_enough()
    {
        // 1, 2 and 4 above by window 4: evidence from window 1, old enough (3 windows) at once; withdrawn at window 10.
        // 11–13 above: evidence from 11, old enough at 13, still open at the last window.
        Assert.Equal([new AlarmRule.Episode(1, 4, 10), new AlarmRule.Episode(11, 13, 13)], AlarmRule.Replay(Scores, 1, minWindows: 3));
        Assert.Equal(2, AnomalyThresholdCalibrator.Alarms([Scores], 1, 3));
    }

    [Fact]
    public void Evidence_that_is_withdrawn_before_it_is_old_enough_is_no_alarm()
    {
        Assert.Equal([new AlarmRule.Episode(1, 9, 10)], AlarmRule.Replay(Scores, 1, minWindows: 9));
        Assert.Empty(AlarmRule.Replay(Scores, 1, minWindows: 11));
        Assert.Equal(0, AnomalyThresholdCalibrator.Alarms([Scores, Scores], 1, 11));
        Assert.Empty(AlarmRule.Replay(Scores, 5, minWindows: 1)); // "above" is strictly above the threshold
    }
}
