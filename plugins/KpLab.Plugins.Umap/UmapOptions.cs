using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Umap;

/// <summary>The input-space distance the neighbour graph uses.</summary>
public enum UmapMetric
{
    /// <summary>Euclidean distance (umap-learn's default).</summary>
    Euclidean,

    /// <summary>Cosine distance, 1 − cos (the natural one for text embeddings; BERTopic's choice).</summary>
    Cosine,
}

/// <summary>How the kNN graph is found.</summary>
public enum UmapKnn
{
    /// <summary>Exact when the data has at most <see cref="UmapOptions.ApproximateAbove"/> rows, else approximate (umap-learn's rule).</summary>
    Auto,

    /// <summary>The kernel's exact tiled search, O(n² d).</summary>
    Exact,

    /// <summary>NN-descent from a random-projection forest (pynndescent's method), seeded, about O(n k² d) per round.</summary>
    Approximate,
}

/// <summary>How the layout starts.</summary>
public enum UmapInit
{
    /// <summary>The leading non-trivial eigenvectors of the graph's normalised Laplacian (umap-learn's default).</summary>
    Spectral,

    /// <summary>Uniform in [−10, 10] per coordinate.</summary>
    Random,
}

/// <summary>Options of the <c>umap</c> reducer; names and defaults follow umap-learn's <c>UMAP</c>.</summary>
public sealed record UmapOptions : PluginOptions
{
    [Description("Neighbours per row in the kNN graph, the row itself included (umap-learn's n_neighbors); at least 2.")]
    public int NNeighbors { get; init; } = 15;

    [Description("Dimension of the layout (umap-learn's n_components).")]
    public int Components { get; init; } = 2;

    [Description("Input distance for the kNN graph: euclidean or cosine.")]
    public UmapMetric Metric { get; init; } = UmapMetric.Euclidean;

    [Description("kNN search: exact (the kernel's), approximate (NN-descent from a random-projection forest, seeded) or auto (exact up to 4,096 rows, approximate above, as umap-learn).")]
    public UmapKnn Knn { get; init; } = UmapKnn.Auto;

    /// <summary>Rows above which <see cref="UmapKnn.Auto"/> searches approximately: umap-learn's 4,096.</summary>
    public const int ApproximateAbove = 4096;

    [Description("Smallest distance between laid-out points; with spread it fixes the curve parameters a and b.")]
    public double MinDist { get; init; } = 0.1;

    [Description("Scale of the laid-out points (umap-learn's spread).")]
    public double Spread { get; init; } = 1.0;

    [Description("SGD epochs; when absent 500 for at most 10,000 rows, else 200 (umap-learn's default).")]
    public int? Epochs { get; init; }

    [Description("Initial SGD learning rate (umap-learn's learning_rate).")]
    public double LearningRate { get; init; } = 1.0;

    [Description("Weight of the fuzzy union (1) against the fuzzy intersection (0) when symmetrising the graph.")]
    public double SetOpMixRatio { get; init; } = 1.0;

    [Description("Neighbours assumed connected at full strength (umap-learn's local_connectivity).")]
    public double LocalConnectivity { get; init; } = 1.0;

    [Description("Weight of negative samples in the layout (umap-learn's repulsion_strength, gamma).")]
    public double RepulsionStrength { get; init; } = 1.0;

    [Description("Negative samples per positive sample.")]
    public int NegativeSampleRate { get; init; } = 5;

    [Description("Start of the layout: spectral or random.")]
    public UmapInit Init { get; init; } = UmapInit.Spectral;

    [Description("Random seed; when absent the run's random source (stream \"umap\") is used. The layout depends on it and on the thread count.")]
    public int? Seed { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionError> Validate()
    {
        if (NNeighbors < 2) yield return new OptionError("nNeighbors", $"must be at least 2, got {NNeighbors}.");
        if (Components < 1) yield return new OptionError("components", $"must be at least 1, got {Components}.");
        if (!(MinDist >= 0) || double.IsInfinity(MinDist)) yield return new OptionError("minDist", $"must be a finite value >= 0, got {MinDist}.");
        if (!(Spread > 0) || double.IsInfinity(Spread)) yield return new OptionError("spread", $"must be a finite value > 0, got {Spread}.");
        if (MinDist > Spread) yield return new OptionError("minDist", $"must be at most spread ({Spread}), got {MinDist}.");
        if (Epochs is < 1) yield return new OptionError("epochs", $"must be at least 1, got {Epochs}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) yield return new OptionError("learningRate", $"must be a finite value > 0, got {LearningRate}.");
        if (!(SetOpMixRatio is >= 0 and <= 1)) yield return new OptionError("setOpMixRatio", $"must be in [0, 1], got {SetOpMixRatio}.");
        if (!(LocalConnectivity >= 0) || double.IsInfinity(LocalConnectivity)) yield return new OptionError("localConnectivity", $"must be a finite value >= 0, got {LocalConnectivity}.");
        if (!(RepulsionStrength >= 0) || double.IsInfinity(RepulsionStrength)) yield return new OptionError("repulsionStrength", $"must be a finite value >= 0, got {RepulsionStrength}.");
        if (NegativeSampleRate < 0) yield return new OptionError("negativeSampleRate", $"must be at least 0, got {NegativeSampleRate}.");
    }
}
