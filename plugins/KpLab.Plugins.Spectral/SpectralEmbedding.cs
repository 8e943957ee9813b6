using KpLab.Kernels;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace KpLab.Plugins.Spectral;

/// <summary>
/// The affinity matrix and the normalised-Laplacian embedding of scikit-learn's <c>spectral_embedding</c>
/// (drop_first = false): L = I − D^{-1/2} W D^{-1/2} with self-loops ignored in the degrees, the eigenvectors of its
/// k smallest eigenvalues from a dense symmetric eigendecomposition (MathNet.Numerics), each scaled by D^{-1/2} and
/// sign-flipped so its largest-magnitude entry is positive.
/// </summary>
internal static class SpectralEmbedding
{
    /// <summary>The dense symmetric affinity matrix W (n × n, row-major, double).</summary>
    public static double[] Affinity(float[] values, int n, int d, SpectralOptions options)
    {
        var affinity = new double[(long)n * n];
        if (options.Affinity == SpectralAffinity.Rbf)
        {
            var squared = new float[(long)n * n];
            PairwiseKernel.Compute(values, values, d, PairwiseMeasure.SquaredEuclidean, squared);
            for (long i = 0; i < squared.LongLength; i++) affinity[i] = Math.Exp(-options.Gamma * squared[i]);
            return affinity;
        }
        var measure = options.Metric == SpectralMetric.Cosine ? PairwiseMeasure.CosineDistance : PairwiseMeasure.Euclidean;
        var graph = NearestNeighbors.Search(values, d, options.NNeighbors, measure, includeSelf: true);
        for (int i = 0; i < n; i++)
            foreach (var j in graph.IndicesOf(i))
            {
                affinity[(long)i * n + j] += 0.5;
                affinity[(long)j * n + i] += 0.5;
            }
        return affinity;
    }

    /// <summary>The n × k embedding (row-major, float32) of a symmetric affinity matrix.</summary>
    /// <param name="affinity">The symmetric n × n affinity.</param>
    /// <param name="n">Rows.</param>
    /// <param name="k">Eigenvectors kept.</param>
    /// <param name="cancellationToken">Stops the Laplacian between rows; during the eigendecomposition (Math.NET's
    /// dense solver, which cannot be interrupted) the fit stops waiting at once and the abandoned solve finishes
    /// on its pool thread, its result discarded.</param>
    public static float[] Embed(double[] affinity, int n, int k, CancellationToken cancellationToken = default)
    {
        var scale = new double[n];
        for (int i = 0; i < n; i++)
        {
            double degree = 0;
            for (int j = 0; j < n; j++) if (j != i) degree += affinity[(long)i * n + j];
            scale[i] = degree > 0 ? Math.Sqrt(degree) : 1.0;
        }
        // Symmetric, so row-major and MathNet's column-major storage describe the same matrix.
        var laplacian = new double[(long)n * n];
        for (int i = 0; i < n; i++)
        {
            if ((i & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            for (int j = 0; j < n; j++)
                laplacian[(long)i * n + j] = i == j ? 1.0 : -affinity[(long)i * n + j] / (scale[i] * scale[j]);
        }
        var solve = Task.Run(() => Matrix<double>.Build.Dense(n, n, laplacian).Evd(Symmetricity.Symmetric), CancellationToken.None);
        try
        {
            solve.Wait(cancellationToken);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        var evd = solve.Result;
        var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ThenBy(i => i).Take(k).ToArray();

        var embedding = new float[n * k];
        for (int c = 0; c < k; c++)
        {
            var vector = evd.EigenVectors.Column(order[c]);
            var u = new double[n];
            int largest = 0;
            for (int i = 0; i < n; i++)
            {
                u[i] = vector[i] / scale[i];
                if (Math.Abs(u[i]) > Math.Abs(u[largest])) largest = i;
            }
            double sign = u[largest] < 0 ? -1.0 : 1.0;
            for (int i = 0; i < n; i++) embedding[i * k + c] = (float)(sign * u[i]);
        }
        return embedding;
    }
}
