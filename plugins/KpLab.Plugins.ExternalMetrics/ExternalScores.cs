namespace KpLab.Plugins.ExternalMetrics;

/// <summary>Pair counts of a contingency table: pairs of rows together in the labels, in the clusters, in both.</summary>
/// <param name="Total">All unordered pairs, n(n − 1)/2.</param>
/// <param name="SameClass">Pairs sharing an expert label.</param>
/// <param name="SameCluster">Pairs sharing a cluster.</param>
/// <param name="SameBoth">Pairs sharing both (true positives).</param>
internal readonly record struct PairCounts(long Total, long SameClass, long SameCluster, long SameBoth)
{
    public static PairCounts Of(ContingencyTable table)
    {
        static long Pairs(long k) => k * (k - 1) / 2;
        long both = table.Cells.Sum(c => Pairs(c.Count));
        return new PairCounts(Pairs(table.Total), table.ClassSizes.Sum(Pairs), table.ClusterSizes.Sum(Pairs), both);
    }
}

/// <summary>One expert label's match in <see cref="ExternalScores.MatchedF1"/>.</summary>
internal readonly record struct LabelMatch(int Class, int Cluster, long Overlap, double Precision, double Recall, double F1);

/// <summary>
/// External scores of a contingency table. Where scikit-learn 1.2.1 has the metric, the formula, the order of
/// operations that matters, and the degenerate-case conventions are its own.
/// </summary>
internal static class ExternalScores
{
    /// <summary>Adjusted Rand index from the pair confusion matrix (sklearn <c>adjusted_rand_score</c>).</summary>
    public static double AdjustedRand(ContingencyTable t)
    {
        // Pair confusion matrix counts ordered pairs (sklearn pair_confusion_matrix); Int128 keeps the products exact
        // as Python's integers do.
        Int128 n = t.Total;
        Int128 sumSquares = 0, sumA = 0, sumB = 0;
        foreach (var c in t.Cells) sumSquares += (Int128)c.Count * c.Count;
        foreach (var a in t.ClassSizes) sumA += (Int128)a * a;
        foreach (var b in t.ClusterSizes) sumB += (Int128)b * b;
        Int128 tp = sumSquares - n, fp = sumB - sumSquares, fn = sumA - sumSquares, tn = n * n - fp - fn - sumSquares;
        if (fn == 0 && fp == 0) return 1.0;
        return 2.0 * (double)(tp * tn - fn * fp) / (double)((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
    }

    /// <summary>Fowlkes–Mallows index √(precision · recall) over pairs (sklearn <c>fowlkes_mallows_score</c>).</summary>
    public static double FowlkesMallows(ContingencyTable t)
    {
        long n = t.Total;
        long tk = t.Cells.Sum(c => c.Count * c.Count) - n;
        long pk = t.ClusterSizes.Sum(b => b * b) - n;
        long qk = t.ClassSizes.Sum(a => a * a) - n;
        return tk != 0 ? Math.Sqrt((double)tk / pk) * Math.Sqrt((double)tk / qk) : 0.0;
    }

    /// <summary>Homogeneity, completeness and V-measure (sklearn <c>homogeneity_completeness_v_measure</c>).</summary>
    public static (double Homogeneity, double Completeness, double VMeasure) HomogeneityCompleteness(ContingencyTable t, double beta)
    {
        double hClasses = InformationTheory.Entropy(t.ClassSizes);
        double hClusters = InformationTheory.Entropy(t.ClusterSizes);
        double mi = InformationTheory.MutualInformation(t);
        double homogeneity = hClasses != 0 ? mi / hClasses : 1.0;
        double completeness = hClusters != 0 ? mi / hClusters : 1.0;
        double v = homogeneity + completeness == 0.0
            ? 0.0
            : (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness);
        return (homogeneity, completeness, v);
    }

    /// <summary>Normalised mutual information (sklearn <c>normalized_mutual_info_score</c>).</summary>
    public static double NormalizedMutualInformation(ContingencyTable t, AverageMethod method)
    {
        if (t.ClassCount == 1 && t.ClusterCount == 1) return 1.0;
        double mi = InformationTheory.MutualInformation(t);
        if (mi == 0) return 0.0;
        double normalizer = InformationTheory.GeneralizedAverage(
            InformationTheory.Entropy(t.ClassSizes), InformationTheory.Entropy(t.ClusterSizes), method);
        return mi / normalizer;
    }

    /// <summary>Adjusted mutual information (sklearn <c>adjusted_mutual_info_score</c>).</summary>
    public static (double Ami, double Mi, double Emi) AdjustedMutualInformation(ContingencyTable t, AverageMethod method)
    {
        if (t.ClassCount == 1 && t.ClusterCount == 1) return (1.0, 0.0, 0.0);
        double mi = InformationTheory.MutualInformation(t);
        double emi = InformationTheory.ExpectedMutualInformation(t);
        double normalizer = InformationTheory.GeneralizedAverage(
            InformationTheory.Entropy(t.ClassSizes), InformationTheory.Entropy(t.ClusterSizes), method);
        double denominator = normalizer - emi;
        denominator = denominator < 0
            ? Math.Min(denominator, -InformationTheory.MachineEpsilon)
            : Math.Max(denominator, InformationTheory.MachineEpsilon);
        return ((mi - emi) / denominator, mi, emi);
    }

    /// <summary>Purity: the share of rows that carry their cluster's majority label.</summary>
    public static double Purity(ContingencyTable t)
    {
        var best = new long[t.ClusterCount];
        foreach (var c in t.Cells) best[c.Cluster] = Math.Max(best[c.Cluster], c.Count);
        return (double)best.Sum() / t.Total;
    }

    /// <summary>Inverse purity: the share of rows that lie in their label's majority cluster.</summary>
    public static double InversePurity(ContingencyTable t)
    {
        var best = new long[t.ClassCount];
        foreach (var c in t.Cells) best[c.Class] = Math.Max(best[c.Class], c.Count);
        return (double)best.Sum() / t.Total;
    }

    /// <summary>
    /// Matches clusters to expert labels one to one so the size-weighted sum of per-label F1 is largest (Hungarian
    /// algorithm); a label left without a cluster scores 0.
    /// </summary>
    /// <returns>One match per label (Cluster −1 when unmatched) and the weighted F1, Σ (size / n) · F1.</returns>
    public static (LabelMatch[] Matches, double WeightedF1) MatchedF1(ContingencyTable t)
    {
        var weights = new double[t.ClassCount, t.ClusterCount];
        foreach (var c in t.Cells)
            weights[c.Class, c.Cluster] = t.ClassSizes[c.Class] * F1(c.Count, t.ClassSizes[c.Class], t.ClusterSizes[c.Cluster]);
        var assignment = Assignment.Maximize(weights);
        var overlap = t.Cells.ToDictionary(c => (c.Class, c.Cluster), c => c.Count);
        var matches = new LabelMatch[t.ClassCount];
        double weighted = 0;
        for (int i = 0; i < t.ClassCount; i++)
        {
            int k = assignment[i];
            long both = k >= 0 ? overlap.GetValueOrDefault((i, k)) : 0;
            double precision = k >= 0 ? (double)both / t.ClusterSizes[k] : 0;
            double recall = (double)both / t.ClassSizes[i];
            double f1 = k >= 0 ? F1(both, t.ClassSizes[i], t.ClusterSizes[k]) : 0;
            matches[i] = new LabelMatch(i, k, both, precision, recall, f1);
            weighted += (double)t.ClassSizes[i] / t.Total * f1;
        }
        return (matches, weighted);
    }

    /// <summary>F1 of a label of size <paramref name="classSize"/> and a cluster of size <paramref name="clusterSize"/> sharing <paramref name="overlap"/> rows: 2·overlap / (sizes summed).</summary>
    public static double F1(long overlap, long classSize, long clusterSize) => 2.0 * overlap / (classSize + clusterSize);
}
