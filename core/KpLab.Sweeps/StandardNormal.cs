namespace KpLab.Sweeps;

/// <summary>
/// The standard normal distribution's tails as SciPy evaluates them (Cephes <c>ndtr</c>: erf near the centre, erfc in
/// the tails, so small tail probabilities keep their relative precision). Error functions from MathNet.Numerics.
/// </summary>
public static class StandardNormal
{
    private const double SqrtHalf = 0.70710678118654752440;

    /// <summary>P(Z ≤ <paramref name="x"/>), as <c>scipy.special.ndtr</c>.</summary>
    public static double Cdf(double x)
    {
        double t = x * SqrtHalf, z = Math.Abs(t);
        if (z < SqrtHalf) return 0.5 + 0.5 * MathNet.Numerics.SpecialFunctions.Erf(t);
        double y = 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(z);
        return t > 0 ? 1.0 - y : y;
    }

    /// <summary>P(Z &gt; <paramref name="x"/>), as <c>scipy.stats.norm.sf</c> (= ndtr(−x)).</summary>
    public static double Survival(double x) => Cdf(-x);
}
