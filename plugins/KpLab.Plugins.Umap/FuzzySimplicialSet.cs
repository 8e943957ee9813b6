namespace KpLab.Plugins.Umap;

/// <summary>
/// UMAP's fuzzy simplicial set from a k-nearest-neighbour graph (McInnes, Healy and Melville 2018, §3.1; umap-learn's
/// <c>smooth_knn_dist</c>, <c>compute_membership_strengths</c> and <c>fuzzy_simplicial_set</c>): each row's distance
/// to its nearest neighbour (rho) and a bandwidth (sigma) found by binary search so that its memberships sum to
/// log2(k), memberships exp(−(d − rho) / sigma), then the fuzzy union (or intersection) with the transpose.
/// </summary>
internal static class FuzzySimplicialSet
{
    private const double Tolerance = 1e-5;
    private const double MinScale = 1e-3;
    private const int Iterations = 64;

    /// <summary>
    /// The bandwidth (sigma) and nearest-neighbour distance (rho) of each row of a kNN graph whose first column is the
    /// row itself (for new rows, the nearest training row, which the sum also skips, as umap-learn does).
    /// </summary>
    /// <param name="distances">Rows × k distances, ascending in each row.</param>
    /// <param name="k">Neighbours per row.</param>
    /// <param name="localConnectivity">Neighbours assumed connected at full strength.</param>
    public static (float[] Sigmas, float[] Rhos) SmoothKnnDistances(ReadOnlySpan<float> distances, int k, double localConnectivity)
    {
        int n = distances.Length / k;
        var sigmas = new float[n];
        var rhos = new float[n];
        double target = Math.Log2(k);
        double meanAll = 0;
        foreach (var d in distances) meanAll += d;
        meanAll /= Math.Max(1, distances.Length);
        var nonZero = new List<float>(k);
        for (int i = 0; i < n; i++)
        {
            var row = distances.Slice(i * k, k);
            nonZero.Clear();
            foreach (var d in row)
                if (d > 0) nonZero.Add(d);
            float rho = 0f;
            if (nonZero.Count >= localConnectivity)
            {
                int index = (int)Math.Floor(localConnectivity);
                double interpolation = localConnectivity - index;
                if (index > 0)
                {
                    rho = nonZero[index - 1];
                    if (interpolation > Tolerance) rho += (float)(interpolation * (nonZero[index] - nonZero[index - 1]));
                }
                else
                {
                    rho = (float)(interpolation * nonZero[0]);
                }
            }
            else if (nonZero.Count > 0)
            {
                rho = nonZero.Max();
            }
            rhos[i] = rho;

            double lo = 0, hi = double.PositiveInfinity, mid = 1;
            for (int iteration = 0; iteration < Iterations; iteration++)
            {
                double sum = 0;
                for (int j = 1; j < k; j++)
                {
                    double d = row[j] - rho;
                    sum += d > 0 ? Math.Exp(-(d / mid)) : 1.0;
                }
                if (Math.Abs(sum - target) < Tolerance) break;
                if (sum > target)
                {
                    hi = mid;
                    mid = (lo + hi) / 2;
                }
                else
                {
                    lo = mid;
                    mid = double.IsPositiveInfinity(hi) ? mid * 2 : (lo + hi) / 2;
                }
            }
            float sigma = (float)mid;
            // A floor on sigma keeps memberships finite for rows whose neighbours are all at the same distance.
            double floor = MinScale * (rho > 0 ? Mean(row) : meanAll);
            if (sigma < floor) sigma = (float)floor;
            sigmas[i] = sigma;
        }
        return (sigmas, rhos);
    }

    /// <summary>
    /// The directed membership strengths exp(−(d − rho) / sigma), 1 within rho, 0 for a row's own entry (unless
    /// <paramref name="bipartite"/>: new rows against training rows); indices below 0 are missing neighbours.
    /// </summary>
    public static FuzzyGraph Memberships(ReadOnlySpan<int> indices, ReadOnlySpan<float> distances, int k, int columns,
        float[] sigmas, float[] rhos, bool bipartite)
    {
        int n = indices.Length / k;
        var entries = new List<(int, float)>[n];
        for (int i = 0; i < n; i++)
        {
            var list = entries[i] = new List<(int, float)>(k);
            for (int j = 0; j < k; j++)
            {
                int neighbour = indices[i * k + j];
                if (neighbour < 0) continue;
                float value;
                if (!bipartite && neighbour == i) value = 0f;
                else if (distances[i * k + j] - rhos[i] <= 0f || sigmas[i] == 0f) value = 1f;
                else value = (float)Math.Exp(-((distances[i * k + j] - rhos[i]) / (double)sigmas[i]));
                list.Add((neighbour, value));
            }
        }
        return FuzzyGraph.FromRows(n, columns, entries);
    }

    /// <summary>
    /// The symmetric fuzzy set: mix · (P + Pᵀ − P∘Pᵀ) + (1 − mix) · P∘Pᵀ, where P is the directed membership graph.
    /// </summary>
    public static FuzzyGraph Symmetrize(FuzzyGraph directed, double setOpMixRatio)
    {
        int n = directed.Rows;
        var transposed = new List<(int Column, float Weight)>[n];
        for (int i = 0; i < n; i++) transposed[i] = [];
        for (int i = 0; i < n; i++)
            for (int e = directed.RowStarts[i]; e < directed.RowStarts[i + 1]; e++)
                transposed[directed.Columns[e]].Add((i, directed.Weights[e]));
        var entries = new List<(int, float)>[n];
        for (int i = 0; i < n; i++)
        {
            var merged = new Dictionary<int, (float Forward, float Backward)>();
            for (int e = directed.RowStarts[i]; e < directed.RowStarts[i + 1]; e++)
                merged[directed.Columns[e]] = (directed.Weights[e], 0f);
            foreach (var (column, weight) in transposed[i])
                merged[column] = merged.TryGetValue(column, out var value) ? (value.Forward, weight) : (0f, weight);
            var list = entries[i] = new List<(int, float)>(merged.Count);
            foreach (var (column, (a, b)) in merged)
            {
                // float32 arithmetic throughout, as scipy's sparse operations on umap-learn's float32 memberships.
                float product = a * b;
                float union = a + b - product;
                list.Add((column, (float)(setOpMixRatio * union + (1.0 - setOpMixRatio) * product)));
            }
        }
        return FuzzyGraph.FromRows(n, n, entries);
    }

    /// <summary>The full fuzzy simplicial set of a kNN graph whose rows list themselves first.</summary>
    public static FuzzyGraph Build(ReadOnlySpan<int> indices, ReadOnlySpan<float> distances, int k, double localConnectivity, double setOpMixRatio)
    {
        var (sigmas, rhos) = SmoothKnnDistances(distances, k, localConnectivity);
        return Symmetrize(Memberships(indices, distances, k, indices.Length / k, sigmas, rhos, bipartite: false), setOpMixRatio);
    }

    private static double Mean(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum / values.Length;
    }
}
