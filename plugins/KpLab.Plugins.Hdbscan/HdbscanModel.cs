using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Hdbscan;

/// <summary>What a fit leaves for prediction: the condensed tree, the selected clusters and the core distances.</summary>
internal sealed record FittedTree(CondensedTree Tree, bool[] Selected, double[] Core, int MinSamples, PairwiseMeasure Measure);

public sealed partial class HdbscanClusterer : IPredictingClusterer
{
    /// <inheritdoc />
    public IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        var partition = Fit(data, cancellationToken, out var fitted);
        return HdbscanModel.From(data, partition, fitted);
    }

    /// <inheritdoc />
    public IClusterModel ReadModel(BinaryReader reader) => HdbscanModel.Read(reader);
}

/// <summary>
/// A fitted HDBSCAN* that places new rows as the hdbscan library's <c>approximate_predict</c> does (McInnes, Healy and
/// Astels, hdbscan 0.8, <c>prediction.py</c>), without re-clustering: a new row's core distance is the distance to its
/// (minSamples + 1)-th nearest fitted row (the library's <c>neighbor_distances[min_samples]</c> over the
/// 2·minSamples nearest); among those 2·minSamples rows it joins the first one with the smallest mutual reachability
/// distance max(core(row), core(new), d), at λ = 1 / that distance; it enters that row's condensed-tree cluster when
/// the row left it at a λ at or below the new λ, else the nearest ancestor born above the new λ. Its label is the
/// selected cluster at or above that one (noise when there is none), and its strength min(λ, λmax) / λmax with λmax
/// the largest λ in the selected cluster (1 when λmax = 0, 0 for noise). With no cluster in the tree every new row is
/// noise. Neighbour distances are exact doubles; candidates come from the kernel's float32 search with a margin.
/// Soft clustering (the library's <c>all_points_membership_vectors</c> and <c>membership_vector</c>) is computed on
/// demand, see <see cref="SoftMembership"/>.
/// </summary>
internal sealed class HdbscanModel : ISoftClusterModel
{
    private const int PayloadVersion = 1;
    private const int CandidateMargin = 8;
    private readonly EmbeddingMatrix _data;
    private readonly double[] _core;
    private readonly int _minSamples;
    private readonly PairwiseMeasure _measure;
    private readonly double[] _norms;
    // Per fitted row: the condensed-tree cluster it leaves and the λ at which it leaves.
    private readonly int[] _rowCluster;
    private readonly double[] _rowLambda;
    // Per condensed-tree cluster (0 = root): parent, birth λ, the label of its selected ancestor-or-self (-1 if none)
    // and that selected cluster's largest λ.
    private readonly int[] _clusterParent;
    private readonly double[] _clusterBirth;
    private readonly int[] _clusterLabel;
    private readonly double[] _clusterMaxLambda;
    private SoftMembership? _soft;

    private HdbscanModel(EmbeddingMatrix data, double[] core, int minSamples, PairwiseMeasure measure, int[] rowCluster,
        double[] rowLambda, int[] clusterParent, double[] clusterBirth, int[] clusterLabel, double[] clusterMaxLambda, Partition partition)
    {
        _data = data;
        _core = core;
        _minSamples = minSamples;
        _measure = measure;
        _norms = measure == PairwiseMeasure.CosineDistance ? ExactDistances.Norms(data.Values, data.Columns) : [];
        _rowCluster = rowCluster;
        _rowLambda = rowLambda;
        _clusterParent = clusterParent;
        _clusterBirth = clusterBirth;
        _clusterLabel = clusterLabel;
        _clusterMaxLambda = clusterMaxLambda;
        Partition = partition;
    }

    public Partition Partition { get; }

    public int Dimension => _data.Columns;

    public static HdbscanModel From(EmbeddingMatrix data, Partition partition, FittedTree fitted)
    {
        var tree = fitted.Tree;
        int n = tree.Points, count = tree.ClusterCount;
        var rowCluster = new int[n];
        var rowLambda = new double[n];
        foreach (var row in tree.Rows)
        {
            if (row.Child >= n) continue;
            rowCluster[row.Child] = row.Parent - n;
            rowLambda[row.Child] = row.Lambda;
        }
        // Labels number the selected clusters in order of id; parents precede children, so one pass finds owners.
        var clusterLabel = new int[count];
        var clusterMaxLambda = new double[count];
        int next = 0;
        for (int c = 0; c < count; c++)
        {
            int parent = tree.Parent[c];
            if (parent >= 0 && clusterLabel[parent] >= 0)
            {
                clusterLabel[c] = clusterLabel[parent];
                clusterMaxLambda[c] = clusterMaxLambda[parent];
            }
            else if (fitted.Selected[c])
            {
                clusterLabel[c] = next++;
                clusterMaxLambda[c] = tree.DirectMaxLambda[c];
            }
            else clusterLabel[c] = -1;
        }
        var probabilities = partition.Probabilities?.ToArray();
        var kept = new Partition(partition.Labels) { Probabilities = probabilities };
        return new HdbscanModel(data, fitted.Core, fitted.MinSamples, fitted.Measure, rowCluster, rowLambda,
            (int[])tree.Parent.Clone(), (double[])tree.Birth.Clone(), clusterLabel, clusterMaxLambda, kept);
    }

    public ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        PredictionRows.Check(rows, Dimension, "hdbscan");
        int m = rows.Rows;
        var labels = new int[m];
        var strengths = new double[m];
        if (_clusterParent.Length <= 1 || m == 0)
        {
            // No cluster in the condensed tree: the library predicts noise for every row.
            Array.Fill(labels, -1);
            return new ClusterPrediction(labels, strengths);
        }
        ForEachNeighbourhood(rows, cancellationToken, (i, _, neighbours) =>
        {
            var (nearest, lambda) = NeighbourAndLambda(neighbours);
            (labels[i], strengths[i]) = Place(nearest, lambda);
        });
        return new ClusterPrediction(labels, strengths);
    }

    public MembershipVectors AllPointsMembershipVectors(CancellationToken cancellationToken = default) =>
        Soft.AllPoints(cancellationToken);

    public MembershipVectors PredictMembershipVectors(EmbeddingMatrix rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        PredictionRows.Check(rows, Dimension, "hdbscan");
        var soft = Soft;
        int m = rows.Rows, k = soft.Clusters;
        var values = new double[m * k];
        if (k > 0 && m > 0)
            ForEachNeighbourhood(rows, cancellationToken, (i, norm, neighbours) =>
            {
                var (nearest, lambda) = NeighbourAndLambda(neighbours);
                soft.NewRow(rows.Row(i), norm, nearest, lambda, values.AsSpan(i * k, k));
            });
        return new MembershipVectors(m, soft.ClusterLabels, values);
    }

    /// <summary>The soft-clustering view, built on first use (exemplars and per-cluster λ).</summary>
    internal SoftMembership Soft => LazyInitializer.EnsureInitialized(ref _soft, () => new SoftMembership(_data, _norms, _measure,
        _rowCluster, _rowLambda, _clusterParent, _clusterBirth, _clusterLabel));

    private delegate void NeighbourhoodAction(int row, double norm, ReadOnlySpan<(double Distance, int Index)> neighbours);

    /// <summary>
    /// Calls <paramref name="action"/> for each new row with its 2·minSamples nearest fitted rows by exact distance,
    /// nearest first (the library's <c>tree.query(points, k=2 * min_samples)</c>).
    /// </summary>
    private void ForEachNeighbourhood(EmbeddingMatrix rows, CancellationToken cancellationToken, NeighbourhoodAction action)
    {
        int m = rows.Rows, n = _data.Rows;
        var queryNorms = PredictionRows.NormsFor(rows, _measure, "hdbscan");
        int k = Math.Min(n, 2 * _minSamples);
        int candidates = Math.Min(n, k + CandidateMargin);
        var graph = NearestNeighbors.Search(rows.Values, _data.Values, rows.Columns, candidates, _measure);
        var options = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken };
        Parallel.For(0, m, options, () => new (double Distance, int Index)[candidates], (i, _, neighbours) =>
        {
            var query = rows.Row(i);
            var found = graph.IndicesOf(i);
            for (int j = 0; j < candidates; j++)
                neighbours[j] = (QueryDistances.Between(query, Norm(queryNorms, i), _data.Row(found[j]), Norm(_norms, found[j]), _measure), found[j]);
            Array.Sort(neighbours);
            action(i, Norm(queryNorms, i), neighbours.AsSpan(0, k));
            return neighbours;
        }, _ => { });
    }

    private static double Norm(double[] norms, int row) => norms.Length == 0 ? 0 : norms[row];

    /// <summary>hdbscan's <c>_find_neighbor_and_lambda</c>: the neighbour of smallest mutual reachability distance
    /// (the first on ties) and λ = 1 / that distance.</summary>
    private (int Nearest, double Lambda) NeighbourAndLambda(ReadOnlySpan<(double Distance, int Index)> neighbours)
    {
        double ownCore = neighbours[Math.Min(_minSamples, neighbours.Length - 1)].Distance;
        int nearest = -1;
        double best = double.PositiveInfinity;
        foreach (var (distance, index) in neighbours)
        {
            double reach = Math.Max(Math.Max(_core[index], ownCore), distance);
            if (reach < best)
            {
                best = reach;
                nearest = index;
            }
        }
        return (nearest, best > 0 ? 1.0 / best : double.MaxValue);
    }

    /// <summary>hdbscan's <c>_find_cluster_and_probability</c> for one row.</summary>
    private (int Label, double Strength) Place(int nearest, double lambda)
    {
        int cluster = _rowCluster[nearest];
        if (_rowLambda[nearest] > lambda)
            while (cluster > 0 && _clusterBirth[cluster] >= lambda) cluster = _clusterParent[cluster];
        int label = _clusterLabel[cluster];
        if (label < 0) return (-1, 0.0);
        double max = _clusterMaxLambda[cluster];
        return (label, max > 0 ? Math.Min(max, lambda) / max : 1.0);
    }

    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(PayloadVersion);
        writer.Write(_minSamples);
        writer.Write((int)_measure);
        ClusterModelPayload.WriteMatrix(writer, _data);
        ClusterModelPayload.WriteDoubles(writer, _core);
        ClusterModelPayload.WriteInts(writer, _rowCluster);
        ClusterModelPayload.WriteDoubles(writer, _rowLambda);
        ClusterModelPayload.WriteInts(writer, _clusterParent);
        ClusterModelPayload.WriteDoubles(writer, _clusterBirth);
        ClusterModelPayload.WriteInts(writer, _clusterLabel);
        ClusterModelPayload.WriteDoubles(writer, _clusterMaxLambda);
        ClusterModelPayload.WriteInts(writer, Partition.Labels);
        ClusterModelPayload.WriteDoubles(writer, Partition.Probabilities?.ToArray() ?? []);
    }

    public static HdbscanModel Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int version = reader.ReadInt32();
        if (version != PayloadVersion)
            throw new InvalidDataException($"hdbscan: model payload version {version}; this plugin reads version {PayloadVersion}.");
        int minSamples = reader.ReadInt32();
        var measure = (PairwiseMeasure)reader.ReadInt32();
        var data = ClusterModelPayload.ReadMatrix(reader);
        var core = ClusterModelPayload.ReadDoubles(reader);
        var rowCluster = ClusterModelPayload.ReadInts(reader);
        var rowLambda = ClusterModelPayload.ReadDoubles(reader);
        var clusterParent = ClusterModelPayload.ReadInts(reader);
        var clusterBirth = ClusterModelPayload.ReadDoubles(reader);
        var clusterLabel = ClusterModelPayload.ReadInts(reader);
        var clusterMaxLambda = ClusterModelPayload.ReadDoubles(reader);
        var labels = ClusterModelPayload.ReadInts(reader);
        var probabilities = ClusterModelPayload.ReadDoubles(reader);
        int n = data.Rows, count = clusterParent.Length;
        if (minSamples < 1 || measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.CosineDistance)
            || core.Length != n || rowCluster.Length != n || rowLambda.Length != n || labels.Length != n
            || (probabilities.Length != 0 && probabilities.Length != n) || count < 1 || clusterBirth.Length != count
            || clusterLabel.Length != count || clusterMaxLambda.Length != count
            || rowCluster.Any(c => c < 0 || c >= count) || clusterParent.Skip(1).Any(p => p < 0 || p >= count))
            throw new InvalidDataException($"hdbscan: the model payload's parts disagree ({n} rows, {count} tree clusters).");
        var partition = new Partition(labels) { Probabilities = probabilities.Length == 0 ? null : probabilities };
        return new HdbscanModel(data, core, minSamples, measure, rowCluster, rowLambda, clusterParent, clusterBirth,
            clusterLabel, clusterMaxLambda, partition);
    }
}
