using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Spectral;

/// <summary>How the affinity (similarity graph) between rows is built.</summary>
public enum SpectralAffinity
{
    /// <summary>Symmetrised k-nearest-neighbour connectivity, 0.5 (A + Aᵀ), each row counting itself (scikit-learn's 'nearest_neighbors').</summary>
    NearestNeighbors,

    /// <summary>The dense RBF kernel exp(−gamma |x − y|²) (scikit-learn's 'rbf').</summary>
    Rbf,
}

/// <summary>The distance the k-nearest-neighbour graph uses.</summary>
public enum SpectralMetric
{
    /// <summary>Cosine distance (the natural one for text embeddings).</summary>
    Cosine,

    /// <summary>Euclidean distance (scikit-learn's default).</summary>
    Euclidean,
}

/// <summary>Options of the <c>spectral</c> clusterer.</summary>
public sealed record SpectralOptions : MemoryBoundedOptions
{
    [Description("Number of clusters (and of eigenvectors in the embedding), at least 1 and at most the number of rows.")]
    public int K { get; init; } = 8;

    [Description("nearestNeighbors (symmetrised kNN connectivity) or rbf (dense exp(-gamma |x-y|^2)).")]
    public SpectralAffinity Affinity { get; init; } = SpectralAffinity.NearestNeighbors;

    [Description("Distance for the kNN graph: cosine or euclidean.")]
    public SpectralMetric Metric { get; init; } = SpectralMetric.Cosine;

    [Description("Neighbours per row in the kNN graph, the row itself included (scikit-learn's n_neighbors).")]
    public int NNeighbors { get; init; } = 10;

    [Description("RBF kernel coefficient gamma (affinity rbf).")]
    public double Gamma { get; init; } = 1.0;

    [Description("k-means restarts on the spectral embedding, keeping the lowest inertia.")]
    public int NInit { get; init; } = 10;

    [Description("Random seed for the k-means step; when absent the run's random source (stream \"spectral\") is used.")]
    public int? Seed { get; init; }

    [Description("Largest number of rows accepted: the dense eigendecomposition costs O(n^3) time and 8 n^2 bytes.")]
    public int MaxRows { get; init; } = 5000;

    /// <inheritdoc />
    public override IEnumerable<OptionError> Validate()
    {
        foreach (var error in base.Validate()) yield return error;
        if (K < 1) yield return new OptionError("k", $"must be at least 1, got {K}.");
        if (NNeighbors < 1) yield return new OptionError("nNeighbors", $"must be at least 1, got {NNeighbors}.");
        if (!(Gamma > 0) || double.IsInfinity(Gamma)) yield return new OptionError("gamma", $"must be a finite value > 0, got {Gamma}.");
        if (NInit < 1) yield return new OptionError("nInit", $"must be at least 1, got {NInit}.");
        if (MaxRows < 1) yield return new OptionError("maxRows", $"must be at least 1, got {MaxRows}.");
    }
}
