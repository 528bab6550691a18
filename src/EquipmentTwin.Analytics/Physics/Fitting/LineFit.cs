namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// A fitted straight line y = A + B·t (t in days, 0 = now) with the covariance of (A, B), already inflated
/// for serial correlation of the residuals.
/// </summary>
public readonly record struct LineFit(double A, double B, double VarA, double VarB, double CovAB, double Sigma, double RSquared, int N, int Dropped)
{
    public double SeB => Math.Sqrt(VarB);

    /// <summary>|B|/SE(B); 0 when the slope is undetermined (flat data, stuck sensor).</summary>
    public double TStat => VarB > 0 && double.IsFinite(VarB) ? Math.Abs(B) / SeB : 0;

    public double ValueAt(double t) => A + B * t;
}
