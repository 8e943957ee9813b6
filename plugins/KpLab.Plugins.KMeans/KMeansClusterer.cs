using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

/// <summary>
/// k-means with scikit-learn's semantics: greedy k-means++ or random or explicit initial centres, Lloyd iterations
/// through the kernel's A·Bᵀ (optionally with Hamerly's bounds, or mini-batch), empty-cluster relocation, restarts
/// keeping the lowest inertia, and a spherical (cosine) variant. Outputs labels, centroids, inertia and iterations.
/// </summary>
/// <remarks>
/// Degenerate data is not an error: with fewer distinct rows than k (e.g. all rows identical) the run still returns
/// k centres, some of them duplicates, and fewer than k distinct labels; the log says so (scikit-learn warns the same
/// way). Labels and centres do not depend on the number of threads.
/// </remarks>
[KpLabPlugin(PluginKind.Clusterer, "kmeans", Description = "k-means (k-means++, Lloyd/Hamerly/mini-batch, spherical option), as scikit-learn's KMeans.")]
public sealed partial class KMeansClusterer(KMeansOptions options, PluginContext context) : IClusterer
{
    private const string Name = "kmeans";

    /// <inheritdoc />
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (n, d, k) = (data.Rows, data.Columns, options.K);
        data.ThrowIfEmptyOrNonFinite(Name);
        if (k > n) throw new ArgumentException($"{Name}: k = {k} clusters need at least {k} rows; the matrix has {n}.", nameof(data));

        // The working copy and its norms, labels and bounds per row, and per thread a tile of row-centre products.
        long peak = 4L * n * d + 24L * n + 4L * KernelParallelism.Current * (long)Math.Min(n, 4096) * k + 16L * k * d;
        options.BudgetIn(context).EnsureFits(Name, peak, $"k-means of {n} x {d} rows into {k} clusters",
            "Use algorithm 'miniBatch' or fewer clusters, or raise memoryBudgetGb.");
        var explicitCentres = ExplicitCentres(d);
        var prepared = KMeansData.Create(data.Values, n, d, options.Spherical);
        double tolerance = prepared.AbsoluteTolerance(options.Tol);
        var random = options.Seed is int seed ? new Random(seed) : context.Random.CreateRandom(Name);
        int runs = options.NInit ?? (explicitCentres is null && options.Init == KMeansOptions.RandomRows ? 10 : 1);
        if (explicitCentres is not null) runs = 1;

        KMeansRun? best = null;
        for (int run = 0; run < runs; run++)
        {
            context.Progress?.Report(new FitProgress(Name, "runs", (double)run / runs));
            var initial = explicitCentres is not null ? prepared.ToWorkingSpace(explicitCentres)
                : options.Init == KMeansOptions.RandomRows ? CentroidSeeding.RandomRows(prepared, k, random)
                : CentroidSeeding.KMeansPlusPlus(prepared, k, random, cancellationToken,
                    fraction => context.Progress?.Report(new FitProgress(Name, "seeding", fraction)));
            var result = options.Algorithm == KMeansAlgorithm.MiniBatch
                ? new MiniBatchSolver(prepared, k, options.BatchSize, options.MaxNoImprovement)
                    .Run(initial, options.MaxIter, tolerance, random, cancellationToken)
                : new LloydSolver(prepared, k).Run(initial, options.MaxIter, tolerance,
                    hamerly: options.Algorithm == KMeansAlgorithm.Hamerly, cancellationToken: cancellationToken);
            if (best is null || result.Inertia < best.Inertia) best = result;
        }

        context.Progress?.Report(new FitProgress(Name, "runs", 1));
        var partition = new Partition(best!.Labels)
        {
            Centroids = EmbeddingMatrix.FromValues(k, d, prepared.ToCallerSpace(best.Centres)),
            Inertia = best.Inertia,
            Iterations = best.Iterations,
        };
        if (partition.ClusterCount < k)
            context.Log($"{Name}: only {partition.ClusterCount} distinct clusters found for k = {k}; the data has fewer distinct points than k.");
        return partition;
    }

    /// <summary>The explicit initial centres (option or .npy file) as k × d float32, or null.</summary>
    private float[]? ExplicitCentres(int d)
    {
        if (options.InitialCentroids is { } rows)
        {
            if (rows[0].Length != d)
                throw new PluginOptionException(Name, "initialCentroids", $"rows have {rows[0].Length} values; the data has {d} columns.");
            return rows.SelectMany(r => r.Select(v => (float)v)).ToArray();
        }
        if (!options.Init.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) return null;
        EmbeddingMatrix matrix;
        try
        {
            matrix = NpyFile.Load(options.Init);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new PluginOptionException(Name, "init", $"cannot read initial centres from '{options.Init}': {e.Message}");
        }
        if (matrix.Rows != options.K || matrix.Columns != d)
            throw new PluginOptionException(Name, "init", $"'{options.Init}' is {matrix.Rows} x {matrix.Columns}; expected k x d = {options.K} x {d}.");
        if (matrix.FirstNonFiniteRow() is var bad and >= 0)
            throw new PluginOptionException(Name, "init", $"row {bad} of '{options.Init}' holds NaN or an infinite value.");
        return matrix.ToArray();
    }
}
