using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Agglomerative;

/// <summary>How the distance between two clusters is defined.</summary>
public enum Linkage
{
    /// <summary>Ward's minimum-variance criterion (Euclidean only).</summary>
    Ward,
    /// <summary>Mean pairwise distance (UPGMA).</summary>
    Average,
    /// <summary>Largest pairwise distance.</summary>
    Complete,
    /// <summary>Smallest pairwise distance.</summary>
    Single,
}

/// <summary>The distance between two rows.</summary>
public enum DistanceMetric
{
    /// <summary>Euclidean distance.</summary>
    Euclidean,
    /// <summary>Cosine distance 1 − cos(x, y) (SciPy's and scikit-learn's 'cosine'); rows must be non-zero.</summary>
    Cosine,
}

/// <summary>How ward linkage is computed.</summary>
public enum WardMethod
{
    /// <summary>The distance matrix below 8,192 rows (faster there) while it fits the memory budget, centroids otherwise.</summary>
    Auto,
    /// <summary>Lance–Williams updates on the full double distance matrix (8·n² bytes).</summary>
    Matrix,
    /// <summary>The nearest-neighbour chain on centroids (O(n·d) memory), as fastcluster's linkage_vector.</summary>
    Centroids,
}

public sealed record AgglomerativeOptions : MemoryBoundedOptions
{
    [Description("Linkage criterion: ward, average, complete or single.")]
    public Linkage Linkage { get; init; } = Linkage.Ward;

    [Description("Row distance: euclidean or cosine (cosine is not allowed with ward).")]
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    [Description("Number of clusters to cut the tree into (undoes the last nClusters - 1 merges, as scikit-learn does). Leave unset when distanceThreshold is given.")]
    public int? NClusters { get; init; } = 2;

    [Description("Cut the tree at this height instead: merges at heights below it are kept (scikit-learn's distance_threshold). Requires nClusters to be unset.")]
    public double? DistanceThreshold { get; init; }

    [Description("Ward only: auto (matrix below 8192 rows while it fits the memory budget, centroids otherwise), matrix (full distance matrix, 8 n^2 bytes) or centroids (nearest-neighbour chain on centroids, O(n d) memory, for large n).")]
    public WardMethod WardMethod { get; init; } = WardMethod.Auto;

    public override IEnumerable<OptionError> Validate()
    {
        foreach (var error in base.Validate()) yield return error;
        if (NClusters is not null && DistanceThreshold is not null)
            yield return new OptionError("distanceThreshold", "give either nClusters or distanceThreshold, not both (set nClusters to null)");
        if (NClusters is null && DistanceThreshold is null)
            yield return new OptionError("nClusters", "give nClusters or distanceThreshold");
        if (NClusters is < 1)
            yield return new OptionError("nClusters", $"must be at least 1, got {NClusters}");
        if (DistanceThreshold is { } t && !(t >= 0 && double.IsFinite(t)))
            yield return new OptionError("distanceThreshold", $"must be a finite number ≥ 0, got {t}");
        if (Linkage == Linkage.Ward && Metric != DistanceMetric.Euclidean)
            yield return new OptionError("metric", $"ward linkage needs the euclidean metric, got {Metric.ToString().ToLowerInvariant()} (as in scikit-learn)");
    }
}
