namespace KpLab.Sweeps;

/// <summary>
/// Holm's (1979) step-down correction of p-values for multiple comparisons, controlling the family-wise error rate:
/// with the m p-values sorted ascending, the i-th (1-based) is adjusted to max over j ≤ i of min(1, (m − j + 1)·p_(j)).
/// NaN p-values (comparisons that could not be tested) are left out of m and stay NaN, as R's <c>p.adjust</c> does.
/// </summary>
public static class HolmCorrection
{
    /// <summary>The Holm-adjusted p-values of <paramref name="pValues"/>, in the input order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A p-value lies outside [0, 1].</exception>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        for (int i = 0; i < pValues.Count; i++)
            if (pValues[i] is < 0 or > 1)
                throw new ArgumentOutOfRangeException(nameof(pValues), pValues[i], $"Holm correction: p-value {i} is not in [0, 1].");
        var adjusted = Enumerable.Repeat(double.NaN, pValues.Count).ToArray();
        // A stable sort: equal p-values keep their order (their adjusted values are equal whatever the order).
        var order = Enumerable.Range(0, pValues.Count).Where(i => !double.IsNaN(pValues[i])).OrderBy(i => pValues[i]).ToArray();
        int m = order.Length;
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, (m - rank) * pValues[order[rank]]);
            adjusted[order[rank]] = Math.Min(1.0, running);
        }
        return adjusted;
    }
}
