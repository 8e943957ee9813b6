using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Clustering;

/// <summary>How <see cref="OutlierReassignment.ToNearestCentroid"/> compares a noise row with a cluster's centroid.</summary>
public enum CentroidMeasure
{
    /// <summary>Cosine similarity, higher is closer; the threshold is a minimum similarity (BERTopic's "embeddings").</summary>
    Cosine,

    /// <summary>Euclidean distance, lower is closer; the threshold is a maximum distance.</summary>
    Euclidean,
}

/// <summary>
/// What an outlier reassignment did: the new partition (noise rows moved into clusters; labels only, since the
/// clusterer's probabilities and extras describe the old one), how many rows moved and which.
/// </summary>
public sealed class ReassignmentResult
{
    internal ReassignmentResult(string strategy, Partition before, int[] labels, int[] movedRows)
    {
        Strategy = strategy;
        Partition = new Partition(labels);
        NoiseBefore = before.NoiseCount;
        MovedRows = movedRows;
    }

    /// <summary>"nearestCentroid(cosine)", "membership" or "prediction", with the threshold, for logs and tables.</summary>
    public string Strategy { get; }

    /// <summary>The partition after the step.</summary>
    public Partition Partition { get; }

    /// <summary>Noise rows before the step.</summary>
    public int NoiseBefore { get; }

    /// <summary>Noise rows after the step.</summary>
    public int NoiseAfter => Partition.NoiseCount;

    /// <summary>Rows that moved from noise into a cluster, ascending.</summary>
    public IReadOnlyList<int> MovedRows { get; }

    /// <summary>Number of rows that moved.</summary>
    public int Moved => MovedRows.Count;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Strategy}: {Moved} of {NoiseBefore} noise rows moved into clusters, {NoiseAfter} remain noise";
}

/// <summary>
/// Outlier reassignment as a post-step on a partition, after BERTopic's <c>reduce_outliers</c>: each noise row (label
/// -1) may join a cluster by one of three rules, and stays noise when its best score misses the threshold. Rows already
/// in a cluster never move, and no cluster is created or removed. Not a plugin kind: the rules are fixed definitions with
/// parameters, not implementations one would swap, and they need the partition and the data together.
/// </summary>
public static class OutlierReassignment
{
    /// <summary>
    /// BERTopic's "embeddings" strategy: each noise row joins the cluster whose centroid (the mean of its members' rows,
    /// in double) is most similar (cosine) or nearest (Euclidean), when the similarity is at least
    /// <paramref name="threshold"/> (cosine; BERTopic's default 0) or the distance at most it (Euclidean; default: no
    /// limit). Ties go to the smaller label; a zero row has cosine similarity 0 with every centroid.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix and the partition differ in rows, a value is not finite, or there is no cluster.</exception>
    public static ReassignmentResult ToNearestCentroid(Partition partition, EmbeddingMatrix embeddings,
        CentroidMeasure measure = CentroidMeasure.Cosine, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Rows != partition.Count)
            throw new ArgumentException($"Outlier reassignment: the embeddings have {embeddings.Rows} rows, the partition {partition.Count}.", nameof(embeddings));
        embeddings.ThrowIfNonFinite("outlier reassignment");
        if (threshold is { } t && double.IsNaN(t)) throw new ArgumentException("Outlier reassignment: the threshold is NaN.", nameof(threshold));
        var clusterLabels = ClusterLabels(partition);
        var centroids = Centroids(partition, embeddings, clusterLabels);
        var centroidNorms = centroids.Select(c => Math.Sqrt(WideningSums.Dot(c, c))).ToArray();
        double limit = threshold ?? (measure == CentroidMeasure.Cosine ? 0.0 : double.PositiveInfinity);
        return Reassign($"nearestCentroid({(measure == CentroidMeasure.Cosine ? "cosine" : "euclidean")}, threshold {limit})", partition, row =>
        {
            var x = embeddings.Row(row);
            double rowNorm = measure == CentroidMeasure.Cosine ? Math.Sqrt(ExactDistances.Dot(x, x)) : 0;
            int best = -1;
            double bestScore = 0;
            for (int c = 0; c < centroids.Length; c++)
            {
                // Scores are "higher is better": the similarity, or minus the distance.
                double score = measure == CentroidMeasure.Cosine
                    ? (rowNorm == 0 || centroidNorms[c] == 0 ? 0 : WideningSums.Dot(x, centroids[c]) / (rowNorm * centroidNorms[c]))
                    : -Math.Sqrt(WideningSums.SquaredDistance(x, centroids[c]));
                if (best < 0 || score > bestScore)
                {
                    best = c;
                    bestScore = score;
                }
            }
            bool accepted = measure == CentroidMeasure.Cosine ? bestScore >= limit : -bestScore <= limit;
            return accepted ? clusterLabels[best] : -1;
        });
    }

    /// <summary>
    /// BERTopic's "probabilities" strategy: <paramref name="memberships"/> holds one row per partition row and one column
    /// per cluster label in ascending order (e.g. soft-clustering membership vectors); each noise row joins the cluster
    /// of its largest membership when that is positive and at least <paramref name="threshold"/>. Ties go to the smaller label.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix's shape does not match the partition, or it holds NaN.</exception>
    public static ReassignmentResult ByMembership(Partition partition, IReadOnlyList<IReadOnlyList<double>> memberships, double threshold = 0)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(memberships);
        var clusterLabels = ClusterLabels(partition);
        if (memberships.Count != partition.Count)
            throw new ArgumentException($"Outlier reassignment: {memberships.Count} membership rows for {partition.Count} partition rows.", nameof(memberships));
        return ByLargestMembership(partition, clusterLabels, threshold, (row, column) =>
        {
            var values = memberships[row];
            if (values.Count != clusterLabels.Length)
                throw new ArgumentException($"Outlier reassignment: membership row {row} has {values.Count} values for {clusterLabels.Length} clusters.", nameof(memberships));
            if (double.IsNaN(values[column])) throw new ArgumentException($"Outlier reassignment: membership row {row} holds NaN.", nameof(memberships));
            return values[column];
        });
    }

    /// <summary>
    /// BERTopic's "probabilities" strategy on typed membership vectors (e.g. <see cref="ISoftClusterModel.AllPointsMembershipVectors"/>
    /// of the model that made <paramref name="partition"/>): each noise row joins the cluster of its largest membership
    /// when that is positive and at least <paramref name="threshold"/>; ties go to the smaller label. A row whose
    /// vector is all zero stays noise (BERTopic would put it in the first topic at threshold 0).
    /// </summary>
    /// <exception cref="ArgumentException">The vectors have another number of rows, or their columns are not the
    /// partition's cluster labels.</exception>
    public static ReassignmentResult ByMembership(Partition partition, MembershipVectors memberships, double threshold = 0)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(memberships);
        var clusterLabels = ClusterLabels(partition);
        if (memberships.Rows != partition.Count)
            throw new ArgumentException($"Outlier reassignment: {memberships.Rows} membership rows for {partition.Count} partition rows.", nameof(memberships));
        if (!memberships.ClusterLabels.SequenceEqual(clusterLabels))
            throw new ArgumentException($"Outlier reassignment: the membership columns are clusters [{string.Join(", ", memberships.ClusterLabels)}], " +
                $"the partition's clusters [{string.Join(", ", clusterLabels)}].", nameof(memberships));
        return ByLargestMembership(partition, clusterLabels, threshold, (row, column) => memberships[row, column]);
    }

    /// <summary>
    /// BERTopic's <c>reduce_outliers(strategy="probabilities")</c> in one call: the soft clustering of the fitted rows
    /// (HDBSCAN: the hdbscan library's <c>all_points_membership_vectors</c>, which BERTopic's probabilities are when
    /// <c>calculate_probabilities=True</c>) is computed from <paramref name="model"/> and each noise row of its
    /// partition joins the cluster of its largest membership when that is positive and at least
    /// <paramref name="threshold"/> (BERTopic's default 0). The vectors cost O(n · exemplars · d) and are not kept.
    /// </summary>
    /// <exception cref="ArgumentException">The model's partition has no cluster.</exception>
    public static ReassignmentResult ByMembership(ISoftClusterModel model, double threshold = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ClusterLabels(model.Partition);
        return ByMembership(model.Partition, model.AllPointsMembershipVectors(cancellationToken), threshold);
    }

    /// <summary>The membership of a row in the cluster of a column.</summary>
    private delegate double MembershipAt(int row, int column);

    private static ReassignmentResult ByLargestMembership(Partition partition, int[] clusterLabels, double threshold, MembershipAt membership)
    {
        if (double.IsNaN(threshold)) throw new ArgumentException("Outlier reassignment: the threshold is NaN.", nameof(threshold));
        return Reassign($"membership(threshold {threshold})", partition, row =>
        {
            int best = 0;
            double largest = membership(row, 0);
            for (int c = 1; c < clusterLabels.Length; c++)
            {
                double value = membership(row, c);
                if (value > largest)
                {
                    best = c;
                    largest = value;
                }
            }
            return largest > 0 && largest >= threshold ? clusterLabels[best] : -1;
        });
    }

    /// <summary>
    /// Each noise row takes the label <paramref name="prediction"/> gives it (one prediction per partition row, e.g. a
    /// fitted model's <see cref="IClusterModel.Predict"/> of the same rows) when that label is a cluster of the partition
    /// and its strength is at least <paramref name="threshold"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The prediction has another number of rows.</exception>
    public static ReassignmentResult ByPrediction(Partition partition, ClusterPrediction prediction, double threshold = 0)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(prediction);
        if (prediction.Count != partition.Count)
            throw new ArgumentException($"Outlier reassignment: {prediction.Count} predicted rows for {partition.Count} partition rows.", nameof(prediction));
        var clusters = new HashSet<int>(ClusterLabels(partition));
        return Reassign($"prediction(threshold {threshold})", partition, row =>
            clusters.Contains(prediction.Labels[row]) && prediction.Strengths[row] >= threshold ? prediction.Labels[row] : -1);
    }

    private static ReassignmentResult Reassign(string strategy, Partition partition, Func<int, int> choose)
    {
        var labels = partition.Labels.ToArray();
        var moved = new List<int>();
        for (int row = 0; row < labels.Length; row++)
        {
            if (labels[row] != -1) continue;
            int label = choose(row);
            if (label < 0) continue;
            labels[row] = label;
            moved.Add(row);
        }
        return new ReassignmentResult(strategy, partition, labels, moved.ToArray());
    }

    private static int[] ClusterLabels(Partition partition)
    {
        var labels = partition.Labels.Where(l => l >= 0).Distinct().Order().ToArray();
        if (labels.Length == 0) throw new ArgumentException("Outlier reassignment: the partition has no cluster to move rows into.", nameof(partition));
        return labels;
    }

    private static double[][] Centroids(Partition partition, EmbeddingMatrix embeddings, int[] clusterLabels)
    {
        var index = new Dictionary<int, int>();
        for (int c = 0; c < clusterLabels.Length; c++) index[clusterLabels[c]] = c;
        var sums = new double[clusterLabels.Length][];
        for (int c = 0; c < sums.Length; c++) sums[c] = new double[embeddings.Columns];
        var sizes = new int[clusterLabels.Length];
        for (int row = 0; row < partition.Count; row++)
        {
            if (partition.Labels[row] < 0) continue;
            int c = index[partition.Labels[row]];
            WideningSums.ScaleAddTo(1.0, embeddings.Row(row), sums[c]);
            sizes[c]++;
        }
        for (int c = 0; c < sums.Length; c++)
            for (int j = 0; j < sums[c].Length; j++) sums[c][j] /= sizes[c];
        return sums;
    }
}
