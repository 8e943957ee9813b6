using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Agglomerative;

public sealed partial class AgglomerativeClusterer : IPredictingClusterer
{
    /// <inheritdoc />
    public IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        var partition = Fit(data, cancellationToken);
        return new AgglomerativeModel(data, partition.Labels, _options.Linkage, _options.Metric);
    }

    /// <inheritdoc />
    public IClusterModel ReadModel(BinaryReader reader) => AgglomerativeModel.Read(reader);
}

/// <summary>
/// A cut agglomerative tree that places a new row in the cluster it would merge with first: the cluster C of the cut
/// with the smallest linkage distance between the singleton {x} and C, in the linkage the tree was built with —
/// single: min over rows y ∈ C of d(x, y); complete: max d(x, y); average: the mean of d(x, y) (UPGMA);
/// ward: √(2|C| / (|C| + 1)) · ‖x − mean(C)‖, SciPy's ward distance between a cluster of one row and C
/// (d(u, v) = √(2|u||v| / (|u| + |v|)) ‖c_u − c_v‖). d is the fitted metric (Euclidean or cosine), in double precision;
/// ties go to the smaller label. The tree is not changed and the assignment is hard: every strength is 1. A loaded
/// model's partition carries the fitted labels only, not the merge tree.
/// </summary>
internal sealed class AgglomerativeModel : IClusterModel
{
    private const int PayloadVersion = 1;
    private readonly EmbeddingMatrix _data;
    private readonly Linkage _linkage;
    private readonly DistanceMetric _metric;
    private readonly int _clusters;
    private readonly int[] _sizes;
    private readonly double[] _norms;
    private readonly double[][] _means;

    public AgglomerativeModel(EmbeddingMatrix data, IReadOnlyList<int> labels, Linkage linkage, DistanceMetric metric)
    {
        _data = data;
        _linkage = linkage;
        _metric = metric;
        Partition = new Partition(labels.ToArray());
        _clusters = labels.Count == 0 ? 0 : labels.Max() + 1;
        _sizes = new int[_clusters];
        foreach (var label in labels) _sizes[label]++;
        _norms = metric == DistanceMetric.Cosine ? ExactDistances.Norms(data.Values, data.Columns) : [];
        _means = linkage == Linkage.Ward ? Means(data, labels, _clusters) : [];
    }

    public Partition Partition { get; }

    public int Dimension => _data.Columns;

    private PairwiseMeasure Measure => _metric == DistanceMetric.Cosine ? PairwiseMeasure.CosineDistance : PairwiseMeasure.Euclidean;

    public ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default)
    {
        PredictionRows.Check(rows, Dimension, "agglomerative");
        var queryNorms = PredictionRows.NormsFor(rows, Measure, "agglomerative");
        int m = rows.Rows;
        var labels = new int[m];
        var options = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken };
        Parallel.For(0, m, options, () => new double[_clusters], (i, _, linkage) =>
        {
            var x = rows.Row(i);
            if (_linkage == Linkage.Ward) WardDistances(x, linkage);
            else RowLinkage(x, queryNorms.Length == 0 ? 0 : queryNorms[i], linkage);
            labels[i] = FirstMinimum(linkage);
            return linkage;
        }, _ => { });
        var strengths = new double[m];
        Array.Fill(strengths, 1.0);
        return new ClusterPrediction(labels, strengths);
    }

    /// <summary>Single, complete or average linkage between {x} and every cluster, from x's distance to every fitted row.</summary>
    private void RowLinkage(ReadOnlySpan<float> x, double normX, double[] linkage)
    {
        Array.Fill(linkage, _linkage switch { Linkage.Single => double.PositiveInfinity, Linkage.Complete => double.NegativeInfinity, _ => 0.0 });
        var labels = Partition.Labels;
        for (int j = 0; j < _data.Rows; j++)
        {
            double d = QueryDistances.Between(x, normX, _data.Row(j), _norms.Length == 0 ? 0 : _norms[j], Measure);
            ref double slot = ref linkage[labels[j]];
            slot = _linkage switch
            {
                Linkage.Single => Math.Min(slot, d),
                Linkage.Complete => Math.Max(slot, d),
                _ => slot + d,
            };
        }
        if (_linkage == Linkage.Average)
            for (int c = 0; c < _clusters; c++) linkage[c] /= _sizes[c];
    }

    private void WardDistances(ReadOnlySpan<float> x, double[] linkage)
    {
        for (int c = 0; c < _clusters; c++)
        {
            var mean = _means[c];
            double squared = 0;
            for (int t = 0; t < mean.Length; t++)
            {
                double diff = x[t] - mean[t];
                squared += diff * diff;
            }
            linkage[c] = Math.Sqrt(2.0 * _sizes[c] / (_sizes[c] + 1.0) * squared);
        }
    }

    private static int FirstMinimum(double[] values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
            if (values[c] < values[best]) best = c;
        return best;
    }

    private static double[][] Means(EmbeddingMatrix data, IReadOnlyList<int> labels, int clusters)
    {
        var sums = new double[clusters][];
        for (int c = 0; c < clusters; c++) sums[c] = new double[data.Columns];
        var sizes = new int[clusters];
        for (int i = 0; i < data.Rows; i++)
        {
            var row = data.Row(i);
            var sum = sums[labels[i]];
            for (int t = 0; t < row.Length; t++) sum[t] += row[t];
            sizes[labels[i]]++;
        }
        for (int c = 0; c < clusters; c++)
            for (int t = 0; t < data.Columns; t++) sums[c][t] /= sizes[c];
        return sums;
    }

    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(PayloadVersion);
        writer.Write((int)_linkage);
        writer.Write((int)_metric);
        ClusterModelPayload.WriteMatrix(writer, _data);
        ClusterModelPayload.WriteInts(writer, Partition.Labels);
    }

    public static AgglomerativeModel Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int version = reader.ReadInt32();
        if (version != PayloadVersion)
            throw new InvalidDataException($"agglomerative: model payload version {version}; this plugin reads version {PayloadVersion}.");
        var linkage = (Linkage)reader.ReadInt32();
        var metric = (DistanceMetric)reader.ReadInt32();
        var data = ClusterModelPayload.ReadMatrix(reader);
        var labels = ClusterModelPayload.ReadInts(reader);
        if (!Enum.IsDefined(linkage) || !Enum.IsDefined(metric) || labels.Length != data.Rows || labels.Any(l => l < 0)
            || (labels.Length > 0 && Enumerable.Range(0, labels.Max() + 1).Except(labels).Any()))
            throw new InvalidDataException($"agglomerative: the model payload's parts disagree ({data.Rows} rows, {labels.Length} labels).");
        return new AgglomerativeModel(data, labels, linkage, metric);
    }
}
