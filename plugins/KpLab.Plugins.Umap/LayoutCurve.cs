namespace KpLab.Plugins.Umap;

/// <summary>
/// The low-dimensional membership curve 1 / (1 + a · d^(2b)) fitted by least squares to the offset exponential that
/// <c>minDist</c> and <c>spread</c> describe (1 below minDist, exp(−(d − minDist) / spread) above), on 300 points in
/// [0, 3 · spread], as umap-learn's <c>find_ab_params</c> does with SciPy's <c>curve_fit</c> (Levenberg–Marquardt
/// from a = b = 1).
/// </summary>
internal static class LayoutCurve
{
    public static (double A, double B) Fit(double spread, double minDist)
    {
        const int points = 300;
        var x = new double[points];
        var y = new double[points];
        for (int i = 0; i < points; i++)
        {
            x[i] = spread * 3 * i / (points - 1);
            y[i] = x[i] < minDist ? 1.0 : Math.Exp(-(x[i] - minDist) / spread);
        }
        double a = 1, b = 1, lambda = 1e-3;
        double cost = Cost(x, y, a, b);
        for (int iteration = 0; iteration < 500; iteration++)
        {
            // Normal equations of the Gauss–Newton step, damped (Levenberg–Marquardt).
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (int i = 0; i < points; i++)
            {
                if (x[i] == 0) continue; // the curve is 1 at 0 whatever a and b: no gradient
                double p = Math.Pow(x[i], 2 * b), denominator = 1 + a * p, f = 1 / denominator, r = f - y[i];
                double da = -p / (denominator * denominator);
                double db = -a * p * 2 * Math.Log(x[i]) / (denominator * denominator);
                jaa += da * da; jab += da * db; jbb += db * db;
                ga += da * r; gb += db * r;
            }
            bool improved = false;
            while (lambda < 1e12)
            {
                double m11 = jaa * (1 + lambda), m22 = jbb * (1 + lambda), det = m11 * m22 - jab * jab;
                double stepA = -(m22 * ga - jab * gb) / det, stepB = -(m11 * gb - jab * ga) / det;
                double trial = Cost(x, y, a + stepA, b + stepB);
                if (trial < cost)
                {
                    bool converged = Math.Abs(stepA) < 1e-12 * (1 + Math.Abs(a)) && Math.Abs(stepB) < 1e-12 * (1 + Math.Abs(b))
                        || cost - trial < 1e-16 * cost;
                    (a, b, cost) = (a + stepA, b + stepB, trial);
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = true;
                    if (converged) return (a, b);
                    break;
                }
                lambda *= 10;
            }
            if (!improved) break;
        }
        return (a, b);
    }

    private static double Cost(double[] x, double[] y, double a, double b)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = 1 / (1 + a * Math.Pow(x[i], 2 * b)) - y[i];
            sum += r * r;
        }
        return sum;
    }
}
