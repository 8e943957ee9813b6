using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.KMeans;

/// <summary>Options of the <c>kmeans</c> clusterer.</summary>
public sealed record KMeansOptions : MemoryBoundedOptions
{
    /// <summary>The initialisation that picks centres by greedy k-means++.</summary>
    public const string KMeansPlusPlus = "k-means++";

    /// <summary>The initialisation that picks k distinct rows uniformly at random.</summary>
    public const string RandomRows = "random";

    [Description("Number of clusters, at least 1 and at most the number of rows.")]
    public int K { get; init; } = 8;

    [Description("Initial centres: \"k-means++\" (greedy, 2 + ln k trials, as scikit-learn), \"random\" (k distinct rows) or the path of a k x d .npy file. Ignored when initialCentroids is given.")]
    public string Init { get; init; } = KMeansPlusPlus;

    [Description("Explicit initial centres, k rows of d values (overrides init; one run).")]
    public double[][]? InitialCentroids { get; init; }

    [Description("Restarts, keeping the lowest inertia. Default: 1 for k-means++ and explicit centres, 10 for random (scikit-learn's n_init='auto').")]
    public int? NInit { get; init; }

    [Description("Maximum iterations per run (mini-batch: passes over the data).")]
    public int MaxIter { get; init; } = 300;

    [Description("Relative tolerance: stop when the summed squared centre shift is at most tol times the mean per-feature variance (scikit-learn's tol).")]
    public double Tol { get; init; } = 1e-4;

    [Description("Random seed; when absent the run's random source (stream \"kmeans\") is used.")]
    public int? Seed { get; init; }

    [Description("lloyd (every row against every centre), hamerly (same labels, skips rows whose centre cannot change) or miniBatch (for large n).")]
    public KMeansAlgorithm Algorithm { get; init; } = KMeansAlgorithm.Lloyd;

    [Description("Spherical (cosine) k-means: rows and centres scaled to unit length, rows assigned by largest cosine; inertia is the sum of 1 - cosine.")]
    public bool Spherical { get; init; }

    [Description("Rows per mini-batch (algorithm miniBatch).")]
    public int BatchSize { get; init; } = 1024;

    [Description("Mini-batch: stop after this many steps without improvement of the smoothed batch inertia.")]
    public int MaxNoImprovement { get; init; } = 10;

    /// <inheritdoc />
    public override IEnumerable<OptionError> Validate()
    {
        foreach (var error in base.Validate()) yield return error;
        if (K < 1) yield return new OptionError("k", $"must be at least 1, got {K}.");
        if (InitialCentroids is null && Init != KMeansPlusPlus && Init != RandomRows && !Init.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            yield return new OptionError("init", $"must be \"{KMeansPlusPlus}\", \"{RandomRows}\" or a .npy path, got \"{Init}\".");
        if (InitialCentroids is not null && InitialCentroids.Length != K)
            yield return new OptionError("initialCentroids", $"must have k = {K} rows, got {InitialCentroids.Length}.");
        if (InitialCentroids is not null && InitialCentroids.Any(r => r is null || r.Length == 0 || r.Length != InitialCentroids[0].Length))
            yield return new OptionError("initialCentroids", "rows must be non-empty and all of the same length.");
        if (InitialCentroids is not null && InitialCentroids.Any(r => r is not null && r.Any(v => !double.IsFinite(v))))
            yield return new OptionError("initialCentroids", "must hold only finite values.");
        if (NInit is < 1) yield return new OptionError("nInit", $"must be at least 1, got {NInit}.");
        if (MaxIter < 1) yield return new OptionError("maxIter", $"must be at least 1, got {MaxIter}.");
        if (!(Tol >= 0) || double.IsInfinity(Tol)) yield return new OptionError("tol", $"must be a finite value >= 0, got {Tol}.");
        if (BatchSize < 1) yield return new OptionError("batchSize", $"must be at least 1, got {BatchSize}.");
        if (MaxNoImprovement < 1) yield return new OptionError("maxNoImprovement", $"must be at least 1, got {MaxNoImprovement}.");
    }
}

/// <summary>How the centres are refined.</summary>
public enum KMeansAlgorithm
{
    /// <summary>Lloyd's algorithm: every row against every centre each iteration (scikit-learn's "lloyd").</summary>
    Lloyd,

    /// <summary>Lloyd's iterations with Hamerly's bounds, which skip rows whose centre cannot have changed; same labels.</summary>
    Hamerly,

    /// <summary>Mini-batch k-means (Sculley 2010, as scikit-learn's MiniBatchKMeans) for large n.</summary>
    MiniBatch,
}
