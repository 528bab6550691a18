namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// One unit's recorded history in increasing time: <see cref="Columns"/>[feature][row], NaN where a cell was
/// empty. In a training file the last row is the failure.
/// </summary>
public sealed record RulUnit(string Id, double[] Times, double[][] Columns)
{
    public int Rows => Times.Length;
    public double Start => Times[0];
    public double End => Times[^1];
}
