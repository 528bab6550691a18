using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Devices;

/// <summary>When a device examines: opening hours, exams per weekday and weekend day, exam length and night emergencies (est).</summary>
internal sealed record UsageProfile(
    double WeekdayOpenHour,
    double WeekdayCloseHour,
    double WeekendOpenHour,
    double WeekendCloseHour,
    double ExamsPerWeekday,
    double ExamsPerWeekendDay,
    double MeanExamMinutes,
    double MinExamMinutes,
    double NightExamsPerHour)
{
    /// <summary>Night exams per hour before <see cref="NightFromMs"/> (the modality's default).</summary>
    public double EarlyNightExamsPerHour { get; init; }

    /// <summary>Simulation-relative day from which <see cref="NightExamsPerHour"/> applies; 0: from the start.</summary>
    public double NightFromDays { get; init; }

    /// <summary>Share of the day exams before <see cref="RampUpDays"/>; 1: no ramp-up.</summary>
    public double RampUpShare { get; init; } = 1;

    public double RampUpDays { get; init; }

    public static UsageProfile For(DeviceSpec spec)
    {
        var p = spec.Modality switch
        {
            Modality.Mri => new UsageProfile(7, 21, 8, 16, 18, 5, 35, 15, 0.03),
            Modality.Ct => new UsageProfile(7, 22, 8, 20, 50, 22, 9, 4, 1.0),
            _ when spec.Mobile => new UsageProfile(7, 20, 8, 18, 30, 12, 10, 4, 0.3),
            _ => new UsageProfile(7, 19, 8, 14, 80, 15, 5, 2, 0.8),
        };
        return p with
        {
            ExamsPerWeekday = spec.ExamsPerWeekday ?? p.ExamsPerWeekday,
            ExamsPerWeekendDay = spec.ExamsPerWeekendDay ?? p.ExamsPerWeekendDay,
            NightExamsPerHour = spec.NightExamsPerHour ?? p.NightExamsPerHour,
            EarlyNightExamsPerHour = p.NightExamsPerHour,
            NightFromDays = spec.NightExamsFromDays,
            RampUpShare = spec.RampUpShare,
            RampUpDays = spec.RampUpDays,
        };
    }

    /// <summary>Average exam seconds per day over a week: the unit of the usage clock of wear faults.</summary>
    public double NominalExamSecondsPerDay =>
        Math.Max(600, ((5 * ExamsPerWeekday + 2 * ExamsPerWeekendDay) / 7.0 + NightExamsPerHour * 10) * MeanExamMinutes * 60);
}
