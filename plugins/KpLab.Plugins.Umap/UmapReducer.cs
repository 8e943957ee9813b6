using System.Globalization;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Umap;

/// <summary>
/// UMAP (McInnes, Healy and Melville 2018) as umap-learn 0.5 computes it: the k-nearest-neighbour graph (the kernel's
/// exact tiled search, or NN-descent above 4,096 rows or when asked; Euclidean or cosine), the fuzzy simplicial set (smooth kNN distances, membership strengths,
/// fuzzy union), spectral initialisation, and the SGD layout with negative sampling, a and b fitted to minDist and
/// spread.
/// </summary>
/// <remarks>
/// Given the same kNN graph the fuzzy-set weights equal umap-learn's <c>fuzzy_simplicial_set</c> (tested to 1e-5).
/// The layout is deterministic for a seed and a thread count (see <see cref="LayoutOptimizer"/>); the approximate graph
/// for a seed whatever the thread count (see <see cref="NearestNeighborDescent"/>). The exact search is O(n² d);
/// NN-descent about O(n · 60² · d) per round. Memory is O(n k) beyond the data (approximate: a copy of the data and
/// O(60 n) candidates).
/// </remarks>
[KpLabPlugin(PluginKind.Reducer, "umap", Description = "UMAP: exact or NN-descent kNN graph, fuzzy simplicial set, spectral initialisation and SGD layout, as umap-learn.")]
public sealed class UmapReducer(UmapOptions options, PluginContext context) : IReducer
{
    private const string Name = "umap";

    /// <inheritdoc />
    public string Identity => string.Create(CultureInfo.InvariantCulture,
        $"umap/1(nNeighbors={options.NNeighbors},components={options.Components},metric={options.Metric},minDist={options.MinDist:R}," +
        $"spread={options.Spread:R},epochs={options.Epochs?.ToString(CultureInfo.InvariantCulture) ?? "auto"},learningRate={options.LearningRate:R}," +
        $"setOpMixRatio={options.SetOpMixRatio:R},localConnectivity={options.LocalConnectivity:R},repulsionStrength={options.RepulsionStrength:R}," +
        $"negativeSampleRate={options.NegativeSampleRate},init={options.Init},seed={options.Seed?.ToString(CultureInfo.InvariantCulture) ?? "run"},knn={options.Knn})");

    /// <inheritdoc />
    public int OutputDimension => options.Components;

    /// <inheritdoc />
    public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => FitModel(data, cancellationToken);

    /// <summary><see cref="Fit"/> with the fitted model's type, for callers that read its graph.</summary>
    public UmapModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.ThrowIfEmptyOrNonFinite(Name);
        int n = data.Rows;
        if (n < 2) throw new ArgumentException($"{Name}: UMAP needs at least 2 rows; the matrix has {n}.", nameof(data));
        int k = Math.Min(options.NNeighbors, n - 1);
        if (k < options.NNeighbors)
            context.Log($"{Name}: nNeighbors = {options.NNeighbors} is more than the {n} rows allow; using {k}.");

        context.Progress?.Report(new FitProgress(Name, "neighbours", 0));
        var (indices, distances) = Neighbours(data, k, cancellationToken);
        var graph = FuzzySimplicialSet.Build(indices, distances, k, options.LocalConnectivity, options.SetOpMixRatio);
        cancellationToken.ThrowIfCancellationRequested();
        var layout = Layout(graph, SeedFor("fit"), cancellationToken);
        return new UmapModel(this, options, data, graph, layout);
    }

    /// <summary>Whether a fit on <paramref name="rows"/> rows searches approximately: <see cref="UmapOptions.Knn"/>, auto
    /// meaning above <see cref="UmapOptions.ApproximateAbove"/> rows.</summary>
    internal bool SearchesApproximately(int rows) =>
        options.Knn == UmapKnn.Approximate || (options.Knn == UmapKnn.Auto && rows > UmapOptions.ApproximateAbove);

    /// <summary>The kNN graph of the training rows, each row first at distance 0: <c>n × k</c> indices and distances.</summary>
    internal (int[] Indices, float[] Distances) Neighbours(EmbeddingMatrix data, int k, CancellationToken cancellationToken)
    {
        if (SearchesApproximately(data.Rows))
        {
            var (indices, distances, rounds) = NearestNeighborDescent.Search(data.Values, data.Columns, k, options.Metric == UmapMetric.Cosine,
                SeedFor("knn"), Threads, cancellationToken,
                (round, most) => context.Progress?.Report(new FitProgress(Name, "neighbours", (double)round / most)));
            context.Log($"{Name}: approximate kNN (NN-descent) on {data.Rows} rows, {rounds} rounds.");
            return (indices, distances);
        }
        var exact = NearestNeighbors.Search(data.Values, data.Columns, k, Measure(options.Metric), includeSelf: true, cancellationToken);
        return ((int[])exact.Indices, (float[])exact.Distances);
    }

    /// <summary>The layout of <paramref name="graph"/> (fuzzy set on the training rows): initialisation, then SGD.</summary>
    internal EmbeddingMatrix Layout(FuzzyGraph graph, int seed, CancellationToken cancellationToken)
    {
        int n = graph.Rows, dim = options.Components;
        int epochs = options.Epochs ?? (n <= 10_000 ? 500 : 200);
        var random = new Random(seed);
        context.Progress?.Report(new FitProgress(Name, "initialisation", 0));
        var initial = options.Init == UmapInit.Spectral ? SpectralInit.Layout(graph, dim, random, Threads, cancellationToken) : null;
        var embedding = new float[n * dim];
        if (initial is null)
        {
            if (options.Init == UmapInit.Spectral) context.Log($"{Name}: the graph is too small or has isolated rows for a spectral start; starting at random.");
            for (int i = 0; i < embedding.Length; i++) embedding[i] = (float)(random.NextDouble() * 20 - 10);
        }
        else
        {
            // umap-learn: scale the largest coordinate to 10 and add a little noise so no two points coincide.
            double expansion = 10 / Math.Max(initial.Max(Math.Abs), 1e-300);
            for (int i = 0; i < embedding.Length; i++) embedding[i] = (float)(initial[i] * expansion) + (float)(Gaussian(random) * 1e-4);
        }
        RescaleColumns(embedding, dim);
        var (a, b) = Curve;
        context.Progress?.Report(new FitProgress(Name, "layout", 0));
        new LayoutOptimizer(a, b, options.RepulsionStrength, options.NegativeSampleRate).Optimize(embedding, embedding, dim, n,
            LayoutEdges.From(graph, epochs), epochs, options.LearningRate, moveOther: true, Threads, seed, cancellationToken);
        return EmbeddingMatrix.FromValues(n, dim, embedding);
    }

    /// <summary>The curve parameters a and b for this minDist and spread.</summary>
    internal (double A, double B) Curve => _curve ??= LayoutCurve.Fit(options.Spread, options.MinDist);

    private (double, double)? _curve;

    /// <summary>Threads for the layout: the kernel's current degree, which the host sets from <c>--threads</c>.</summary>
    internal static int Threads => KernelParallelism.Current;

    internal static PairwiseMeasure Measure(UmapMetric metric) =>
        metric == UmapMetric.Cosine ? PairwiseMeasure.CosineDistance : PairwiseMeasure.Euclidean;

    /// <summary>The seed of one stage: from the seed option, or else from the run's random source.</summary>
    internal int SeedFor(string stage) =>
        options.Seed is int seed ? new RandomSource(seed).DeriveSeed($"{Name}.{stage}") : context.Random.DeriveSeed($"{Name}.{stage}");

    /// <summary>Each column scaled to [0, 10], as umap-learn does before optimising.</summary>
    private static void RescaleColumns(float[] embedding, int dim)
    {
        int n = embedding.Length / dim;
        for (int d = 0; d < dim; d++)
        {
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            for (int i = 0; i < n; i++) { min = Math.Min(min, embedding[i * dim + d]); max = Math.Max(max, embedding[i * dim + d]); }
            float range = max - min;
            for (int i = 0; i < n; i++) embedding[i * dim + d] = range > 0 ? 10f * (embedding[i * dim + d] - min) / range : 0f;
        }
    }

    private static double Gaussian(Random random)
    {
        double u = 1.0 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
