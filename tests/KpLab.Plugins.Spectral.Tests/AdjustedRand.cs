namespace KpLab.Plugins.Spectral.Tests;

/// <summary>The adjusted Rand index (Hubert and Arabie), for comparing label vectors in tests.</summary>
internal static class AdjustedRand
{
    public static double Index(int[] a, int[] b)
    {
        var pairs = a.Zip(b).GroupBy(p => p).Select(g => (double)g.Count());
        var rows = a.GroupBy(x => x).Select(g => (double)g.Count());
        var cols = b.GroupBy(x => x).Select(g => (double)g.Count());
        static double Choose2(double x) => x * (x - 1) / 2;
        double index = pairs.Sum(Choose2), sumA = rows.Sum(Choose2), sumB = cols.Sum(Choose2);
        double expected = sumA * sumB / Choose2(a.Length), max = (sumA + sumB) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }
}
