namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// How a history becomes model features, saved as <c>features.json</c> beside the model: which columns are
/// regime settings, which sensors are kept (and why the others were dropped), per-regime normalisation,
/// the windows, and the conformal calibration of the interval.
/// </summary>
public sealed record RulFeatureSpec
{
    /// <summary>Feature columns of the training file, in its order.</summary>
    public required string[] Columns { get; init; }

    /// <summary>Columns whose values sit in a few tight clusters: operating-regime settings, not sensors.</summary>
    public required string[] SettingColumns { get; init; }

    /// <summary>Range of each setting column, the scale of the distance to a regime's centre.</summary>
    public required double[] SettingScales { get; init; }

    /// <summary>Centre of each operating regime in setting space ([regime][setting]); one regime with no settings when none vary.</summary>
    public required double[][] RegimeCentroids { get; init; }

    /// <summary>Sensor columns the model reads.</summary>
    public required string[] Sensors { get; init; }

    /// <summary>Per regime and sensor, mean and standard deviation on the training units ([regime][sensor]).</summary>
    public required double[][] SensorMean { get; init; }

    public required double[][] SensorStd { get; init; }

    /// <summary>Columns not used, each with the reason.</summary>
    public required RulDroppedColumn[] Dropped { get; init; }

    /// <summary>Window lengths in rows: short, medium and long, from the training units' typical length.</summary>
    public required int[] Windows { get; init; }

    /// <summary>Median training lifetime (file's time unit): ages and slopes are measured in it.</summary>
    public required double TimeScale { get; init; }

    public required string[] FeatureNames { get; init; }

    public required RulCalibration Calibration { get; init; }
}

/// <summary>A column the model does not read, and why.</summary>
public sealed record RulDroppedColumn(string Name, string Reason);

/// <summary>
/// Split-conformal calibration on held-out units (Vovk et al. 2005; normalised residuals as in Lei et al. 2018;
/// Mondrian bins by predicted value as in Boström &amp; Johansson 2020): r = (true − predicted) / (predicted +
/// <see cref="Scale"/>); predictions are binned at <see cref="Edges"/> and the band in bin b is
/// predicted + q_b·(predicted + scale) for the 10 %, 50 % and 90 % quantiles of r in that bin, each unit weighted equally.
/// </summary>
public sealed record RulCalibration(double Scale, double[] Edges, double[] Q10, double[] Q50, double[] Q90, int Units, int Points)
{
    public static RulCalibration None { get; } = new(0, [], [0], [0], [0], 0, 0);

    /// <summary>The bin of a raw prediction.</summary>
    public int Bin(double predicted)
    {
        var b = 0;
        while (b < Edges.Length && predicted >= Edges[b])
        {
            b++;
        }

        return b;
    }
}
