using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Hdbscan;

/// <summary>
/// HDBSCAN soft clustering as the hdbscan library (McInnes, 0.8.43, <c>prediction.py</c> and
/// <c>_prediction_utils.pyx</c>) defines it, one column per selected cluster in order of cluster id (= label).
/// <para>Exemplars of a selected cluster: the rows that leave a leaf of its subtree at that leaf's largest λ. Distance
/// part: with d_c the distance to cluster c's nearest exemplar, w_c = 1 / d_c (double.MaxValue / k when d_c = 0),
/// normalised to sum 1 (the library's default <c>softmax=False</c>). Tree part: the merge height h_c of the row with
/// cluster c is the birth λ of the two clusters that meet at their lowest common ancestor, or the row's own λ when one
/// of the two clusters lies above the other.</para>
/// <para>Fitted rows (<c>all_points_membership_vectors</c>): with λ and P the row's condensed-tree λ and cluster and
/// λmax(P) the largest λ among P's direct rows, score s_c = exp(−(λmax(P) + 1e-8) / h_c); the tree part is
/// exp(s_c − max over all rows and clusters of s), normalised per row; the vector is distance part × tree part,
/// normalised, times the chance of being in some cluster max_c h_c / max(λmax(c*), λ) with c* the first cluster of
/// largest h_c.</para>
/// <para>New rows (<c>membership_vector</c>): the neighbour and λ of <c>approximate_predict</c>, λ capped at the
/// neighbour's own λ, P the neighbour's cluster; s_c = λmax(P) / (λmax(P) − h_c) (1e-8 for a denominator ≤ 0) with
/// h_c from λ rounded to float32 (the library passes it as <c>np.float32_t</c>); the tree part is exp(s_c − max_c s)
/// normalised; the vector is √distance part × (tree part)², normalised, times max_c h_c / (max(λ, λmax(c*)) + 1e-8).</para>
/// <para>Where the library's arithmetic gives NaN (a row at infinite density: at least minSamples identical rows) the
/// value is 0 here, and a value above 1 by rounding is 1. With no selected cluster the vectors have no column. A
/// single selected root without children, where the library fails, follows the same definitions.</para>
/// </summary>
internal sealed class SoftMembership
{
    private readonly EmbeddingMatrix _data;
    private readonly double[] _norms;
    private readonly PairwiseMeasure _measure;
    private readonly int[] _rowCluster;
    private readonly double[] _rowLambda;
    private readonly int[] _clusterParent;
    private readonly double[] _clusterBirth;
    // Per condensed-tree cluster: the largest λ among its direct rows, points and child clusters (leaf_max_lambdas).
    private readonly double[] _leafMaxLambda;
    // Per column: its condensed-tree cluster and its exemplar rows.
    private readonly int[] _selected;
    private readonly int[][] _exemplars;

    public SoftMembership(EmbeddingMatrix data, double[] norms, PairwiseMeasure measure, int[] rowCluster, double[] rowLambda,
        int[] clusterParent, double[] clusterBirth, int[] clusterLabel)
    {
        _data = data;
        _norms = norms;
        _measure = measure;
        _rowCluster = rowCluster;
        _rowLambda = rowLambda;
        _clusterParent = clusterParent;
        _clusterBirth = clusterBirth;
        int count = clusterParent.Length;
        _leafMaxLambda = new double[count];
        for (int i = 0; i < rowCluster.Length; i++)
            _leafMaxLambda[rowCluster[i]] = Math.Max(_leafMaxLambda[rowCluster[i]], rowLambda[i]);
        var children = new List<int>[count];
        for (int c = 0; c < count; c++) children[c] = [];
        for (int c = 1; c < count; c++)
        {
            children[clusterParent[c]].Add(c);
            _leafMaxLambda[clusterParent[c]] = Math.Max(_leafMaxLambda[clusterParent[c]], clusterBirth[c]);
        }
        // A selected cluster carries a label its parent does not.
        _selected = Enumerable.Range(0, count)
            .Where(c => clusterLabel[c] >= 0 && (c == 0 || clusterLabel[clusterParent[c]] < 0)).ToArray();
        ClusterLabels = _selected.Select(c => clusterLabel[c]).ToArray();
        var rowsOf = new List<int>[count];
        for (int c = 0; c < count; c++) rowsOf[c] = [];
        for (int i = 0; i < rowCluster.Length; i++) rowsOf[rowCluster[i]].Add(i);
        _exemplars = _selected.Select(s =>
        {
            var exemplars = new List<int>();
            var stack = new Stack<int>([s]);
            while (stack.Count > 0)
            {
                int c = stack.Pop();
                if (children[c].Count == 0)
                    exemplars.AddRange(rowsOf[c].Where(i => rowLambda[i] == _leafMaxLambda[c]));
                foreach (var child in children[c]) stack.Push(child);
            }
            return exemplars.ToArray();
        }).ToArray();
    }

    /// <summary>The label of each column, ascending.</summary>
    public IReadOnlyList<int> ClusterLabels { get; }

    /// <summary>Number of columns.</summary>
    public int Clusters => _selected.Length;

    /// <summary>Exemplar rows of each column (tests).</summary>
    internal IReadOnlyList<int[]> Exemplars => _exemplars;

    /// <summary>hdbscan's <c>all_points_membership_vectors</c>.</summary>
    public MembershipVectors AllPoints(CancellationToken cancellationToken)
    {
        int n = _data.Rows, k = Clusters;
        var values = new double[n * k];
        if (k == 0) return new MembershipVectors(n, ClusterLabels, values);
        var scores = new double[n * k];
        var inSomeCluster = new double[n];
        var options = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken };
        Parallel.For(0, n, options, i =>
        {
            DistanceVector(_data.Row(i), _norms.Length == 0 ? 0 : _norms[i], values.AsSpan(i * k, k));
            int cluster = _rowCluster[i];
            double lambda = _rowLambda[i], maxLambda = _leafMaxLambda[cluster] + 1e-8;
            var row = scores.AsSpan(i * k, k);
            double highest = double.NegativeInfinity;
            int nearest = 0;
            for (int c = 0; c < k; c++)
            {
                double height = MergeHeight(cluster, lambda, _selected[c]);
                row[c] = Math.Exp(-(maxLambda / height));
                if (height > highest)
                {
                    highest = height;
                    nearest = c;
                }
            }
            inSomeCluster[i] = highest / Math.Max(_leafMaxLambda[_selected[nearest]], lambda);
        });
        // The library subtracts the largest score of the whole matrix before exponentiating (numpy's nanmax).
        double largest = double.NegativeInfinity;
        foreach (var s in scores)
            if (s > largest) largest = s;
        Parallel.For(0, n, options, i =>
        {
            var outlier = scores.AsSpan(i * k, k);
            for (int c = 0; c < k; c++) outlier[c] = Math.Exp(outlier[c] - largest);
            Normalise(outlier);
            var row = values.AsSpan(i * k, k);
            for (int c = 0; c < k; c++) row[c] *= outlier[c];
            Normalise(row);
            Finish(row, inSomeCluster[i]);
        });
        return new MembershipVectors(n, ClusterLabels, values);
    }

    /// <summary>hdbscan's <c>membership_vector</c> for one new row whose mutual-reachability neighbour among the
    /// fitted rows is <paramref name="nearest"/> at <paramref name="lambda"/>.</summary>
    public void NewRow(ReadOnlySpan<float> row, double norm, int nearest, double lambda, Span<double> output)
    {
        int k = Clusters;
        if (k == 0) return;
        if (_rowLambda[nearest] <= lambda) lambda = _rowLambda[nearest];
        int cluster = _rowCluster[nearest];
        double maxLambda = _leafMaxLambda[cluster];
        double roundedLambda = (float)lambda;
        Span<double> outlier = k <= 256 ? stackalloc double[k] : new double[k];
        double largest = double.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            double denominator = maxLambda - MergeHeight(cluster, roundedLambda, _selected[c]);
            outlier[c] = maxLambda / (denominator <= 0 ? 1e-8 : denominator);
            if (outlier[c] > largest) largest = outlier[c];
        }
        for (int c = 0; c < k; c++) outlier[c] = Math.Exp(outlier[c] - largest);
        Normalise(outlier);
        DistanceVector(row, norm, output);
        double highest = double.NegativeInfinity;
        int nearestColumn = 0;
        for (int c = 0; c < k; c++)
        {
            output[c] = Math.Sqrt(output[c]) * (outlier[c] * outlier[c]);
            double height = MergeHeight(cluster, lambda, _selected[c]);
            if (height > highest)
            {
                highest = height;
                nearestColumn = c;
            }
        }
        Normalise(output);
        Finish(output, highest / (Math.Max(lambda, _leafMaxLambda[_selected[nearestColumn]]) + 1e-8));
    }

    /// <summary>hdbscan's <c>dist_membership_vector</c> with <c>softmax=False</c>.</summary>
    private void DistanceVector(ReadOnlySpan<float> row, double norm, Span<double> output)
    {
        int k = output.Length;
        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            double nearest = double.MaxValue;
            foreach (var e in _exemplars[c])
            {
                double distance = QueryDistances.Between(row, norm, _data.Row(e), _norms.Length == 0 ? 0 : _norms[e], _measure);
                if (distance < nearest) nearest = distance;
            }
            output[c] = nearest != 0 ? 1.0 / nearest : double.MaxValue / k;
            sum += output[c];
        }
        for (int c = 0; c < k; c++) output[c] /= sum;
    }

    /// <summary>hdbscan's <c>merge_height</c>: walk the two clusters up (the larger id first) until they meet.</summary>
    private double MergeHeight(int pointCluster, double pointLambda, int cluster)
    {
        int left = pointCluster, right = cluster, last = -1;
        bool tookLeft = false, tookRight = false;
        while (left != right)
        {
            if (left > right)
            {
                tookLeft = true;
                last = left;
                left = _clusterParent[left];
            }
            else
            {
                tookRight = true;
                last = right;
                right = _clusterParent[right];
            }
        }
        return tookLeft && tookRight ? _clusterBirth[last] : pointLambda;
    }

    private static void Normalise(Span<double> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        for (int c = 0; c < values.Length; c++) values[c] /= sum;
    }

    private static void Finish(Span<double> values, double scale)
    {
        for (int c = 0; c < values.Length; c++)
        {
            double v = values[c] * scale;
            values[c] = double.IsNaN(v) ? 0 : Math.Min(v, 1.0);
        }
    }
}
