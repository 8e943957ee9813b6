using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

public sealed partial class KMeansClusterer : IPredictingClusterer
{
    /// <inheritdoc />
    public IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        var partition = Fit(data, cancellationToken);
        return new KMeansModel(partition.Centroids!, options.Spherical, new Partition(partition.Labels));
    }

    /// <inheritdoc />
    public IClusterModel ReadModel(BinaryReader reader) => KMeansModel.Read(reader);
}

/// <summary>
/// Fitted k-means: a new row takes the label of its nearest centre, as scikit-learn's <c>KMeans.predict</c> — the
/// smallest squared Euclidean distance, or with <c>spherical</c> the largest cosine (an all-zero row has cosine 0 with
/// every centre and takes centre 0) — in double precision, the first centre on ties. The assignment is hard: every
/// strength is 1. A loaded model's partition carries the fitted labels only, not inertia or iterations.
/// </summary>
internal sealed class KMeansModel : IClusterModel
{
    private const int PayloadVersion = 1;
    private readonly EmbeddingMatrix _centroids;
    private readonly bool _spherical;
    private readonly double[] _centreNorms;

    public KMeansModel(EmbeddingMatrix centroids, bool spherical, Partition partition)
    {
        _centroids = centroids;
        _spherical = spherical;
        _centreNorms = ExactDistances.Norms(centroids.Values, centroids.Columns);
        Partition = partition;
    }

    public Partition Partition { get; }

    public int Dimension => _centroids.Columns;

    public ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default)
    {
        PredictionRows.Check(rows, Dimension, "kmeans");
        int m = rows.Rows, k = _centroids.Rows;
        var labels = new int[m];
        var options = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken };
        Parallel.For(0, m, options, i =>
        {
            var x = rows.Row(i);
            int best = 0;
            double bestScore = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                // Spherical: minus the cosine up to the row's own (positive, shared) norm; zero-norm centres score 0.
                double score = _spherical
                    ? (_centreNorms[c] > 0 ? -ExactDistances.Dot(x, _centroids.Row(c)) / _centreNorms[c] : 0)
                    : ExactDistances.SquaredEuclidean(x, _centroids.Row(c));
                if (score < bestScore)
                {
                    bestScore = score;
                    best = c;
                }
            }
            labels[i] = best;
        });
        var strengths = new double[m];
        Array.Fill(strengths, 1.0);
        return new ClusterPrediction(labels, strengths);
    }

    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(PayloadVersion);
        writer.Write(_spherical);
        ClusterModelPayload.WriteMatrix(writer, _centroids);
        ClusterModelPayload.WriteInts(writer, Partition.Labels);
    }

    public static KMeansModel Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int version = reader.ReadInt32();
        if (version != PayloadVersion)
            throw new InvalidDataException($"kmeans: model payload version {version}; this plugin reads version {PayloadVersion}.");
        bool spherical = reader.ReadBoolean();
        var centroids = ClusterModelPayload.ReadMatrix(reader);
        var labels = ClusterModelPayload.ReadInts(reader);
        if (centroids.Rows < 1 || labels.Any(l => l < 0 || l >= centroids.Rows))
            throw new InvalidDataException($"kmeans: the model payload's labels do not fit its {centroids.Rows} centres.");
        return new KMeansModel(centroids, spherical, new Partition(labels));
    }
}
