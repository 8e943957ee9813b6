using KpLab.Abstractions;
using KpLab.Kernels;
using KpLab.Plugins.KMeans;

namespace KpLab.Plugins.Spectral;

/// <summary>
/// Spectral clustering as scikit-learn's <c>SpectralClustering(assign_labels='kmeans')</c>: an affinity from a
/// (cosine or Euclidean) k-nearest-neighbour graph or an RBF kernel, the normalised-Laplacian embedding, then k-means
/// (k-means++, restarts) on the embedding.
/// </summary>
/// <remarks>
/// The eigendecomposition is dense: O(n³) time and 8 n² bytes (n = 5,000: 200 MB, about a minute), so n is capped by
/// <see cref="SpectralOptions.MaxRows"/>. A disconnected graph is accepted (scikit-learn warns); each component then
/// contributes a zero eigenvalue. When all rows are identical the answer is one cluster (all labels 0). Labels do not depend on the number of threads.
/// </remarks>
[KpLabPlugin(PluginKind.Clusterer, "spectral", Description = "Spectral clustering (kNN or RBF affinity, normalised Laplacian, k-means), as scikit-learn's SpectralClustering.")]
public sealed class SpectralClusterer(SpectralOptions options, PluginContext context) : IClusterer
{
    private const string Name = "spectral";

    /// <inheritdoc />
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (n, d, k) = (data.Rows, data.Columns, options.K);
        data.ThrowIfEmptyOrNonFinite(Name);
        if (k > n) throw new ArgumentException($"{Name}: k = {k} clusters need at least {k} rows; the matrix has {n}.", nameof(data));
        if (n > options.MaxRows)
            throw new ArgumentException($"{Name}: {n} rows exceed maxRows = {options.MaxRows} (the dense eigendecomposition is O(n^3)); raise maxRows or use another clusterer.", nameof(data));
        if (options.Affinity == SpectralAffinity.NearestNeighbors && options.NNeighbors > n)
            throw new PluginOptionException(Name, "nNeighbors", $"must be at most the number of rows ({n}), got {options.NNeighbors}.");

        // Affinity, Laplacian and the eigensolver's workspace: three dense n x n double matrices.
        options.BudgetIn(context).EnsureFits(Name, 24L * n * n + 4L * n * d + 4L * n * n,
            $"the dense {n} x {n} affinity and Laplacian", "Use hdbscan, kmeans or agglomerative ward, or raise memoryBudgetGb.");
        if (AllRowsEqual(data))
        {
            // Every distance ties, so the kNN graph would only reflect tie-breaking by index: one cluster is the answer.
            context.Log($"{Name}: all {n} rows are identical; returning a single cluster.");
            return new Partition(new int[n]);
        }

        var values = data.ToArray();
        context.Progress?.Report(new FitProgress(Name, "affinity", 0));
        var affinity = SpectralEmbedding.Affinity(values, n, d, options);
        cancellationToken.ThrowIfCancellationRequested();
        context.Progress?.Report(new FitProgress(Name, "eigenvectors", 0));
        var embedding = SpectralEmbedding.Embed(affinity, n, k, cancellationToken);
        context.Progress?.Report(new FitProgress(Name, "k-means", 0));

        var prepared = KMeansData.Create(embedding, n, k, spherical: false);
        double tolerance = prepared.AbsoluteTolerance(1e-4);
        var random = options.Seed is int seed ? new Random(seed) : context.Random.CreateRandom(Name);
        var solver = new LloydSolver(prepared, k);
        KMeansRun? best = null;
        for (int run = 0; run < options.NInit; run++)
        {
            var result = solver.Run(CentroidSeeding.KMeansPlusPlus(prepared, k, random, cancellationToken), 300, tolerance, hamerly: false,
                cancellationToken: cancellationToken);
            if (best is null || result.Inertia < best.Inertia) best = result;
        }
        return new Partition(best!.Labels) { Iterations = best.Iterations };
    }

    private static bool AllRowsEqual(EmbeddingMatrix data)
    {
        for (int i = 1; i < data.Rows; i++)
            if (VectorMath.SquaredL2(data.Row(0), data.Row(i)) != 0f) return false;
        return true;
    }
}
