using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Hdbscan;

/// <summary>The distance between two rows.</summary>
public enum HdbscanMetric
{
    /// <summary>Euclidean distance.</summary>
    Euclidean,
    /// <summary>Cosine distance 1 − cos(x, y); rows must be non-zero.</summary>
    Cosine,
}

/// <summary>How flat clusters are chosen from the condensed tree.</summary>
public enum ClusterSelection
{
    /// <summary>Excess of mass: the most stable set of non-overlapping clusters.</summary>
    Eom,
    /// <summary>The leaves of the condensed tree: many small, homogeneous clusters.</summary>
    Leaf,
}

/// <summary>What <see cref="Partition.Probabilities"/> holds.</summary>
public enum MembershipModel
{
    /// <summary>min(λ_point, λ_max of its cluster) / λ_max, as the Python hdbscan library and scikit-learn define it.</summary>
    Lambda,
    /// <summary>(max core distance in the cluster − core distance) / max core distance, as R dbscan 1.1 defines it.</summary>
    CoreDistance,
}

public sealed record HdbscanOptions : MemoryBoundedOptions
{
    [Description("Smallest group of rows that counts as a cluster (R dbscan's minPts), at least 2.")]
    public int MinClusterSize { get; init; } = 5;

    [Description("Neighbours, counting the row itself, whose farthest distance is a row's core distance; unset = minClusterSize, as R dbscan's minPts does.")]
    public int? MinSamples { get; init; }

    [Description("Row distance: euclidean or cosine.")]
    public HdbscanMetric Metric { get; init; } = HdbscanMetric.Euclidean;

    [Description("Cluster selection: eom (excess of mass) or leaf.")]
    public ClusterSelection ClusterSelectionMethod { get; init; } = ClusterSelection.Eom;

    [Description("Clusters that split below this distance are merged back into their parent (0 = off).")]
    public double ClusterSelectionEpsilon { get; init; }

    [Description("Allow the root, i.e. a single cluster of everything, to be selected.")]
    public bool AllowSingleCluster { get; init; }

    [Description("Membership probabilities: lambda (hdbscan library, scikit-learn) or coreDistance (R dbscan 1.1).")]
    public MembershipModel Probabilities { get; init; } = MembershipModel.Lambda;

    /// <summary>Tests only: the blocked path (kNN lists and Borůvka) even where the Gram matrix would be used.</summary>
    internal bool BlockedTree { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        foreach (var error in base.Validate()) yield return error;
        if (MinClusterSize < 2) yield return new OptionError("minClusterSize", $"must be at least 2, got {MinClusterSize}");
        if (MinSamples is < 1) yield return new OptionError("minSamples", $"must be at least 1, got {MinSamples}");
        if (!(ClusterSelectionEpsilon >= 0 && double.IsFinite(ClusterSelectionEpsilon)))
            yield return new OptionError("clusterSelectionEpsilon", $"must be a finite number ≥ 0, got {ClusterSelectionEpsilon}");
    }
}
