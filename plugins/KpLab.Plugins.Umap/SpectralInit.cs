using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace KpLab.Plugins.Umap;

/// <summary>
/// UMAP's spectral initialisation: the eigenvectors of the normalised Laplacian I − D^{-1/2} W D^{-1/2} for its
/// smallest eigenvalues, the trivial one (∝ D^{1/2} 1) left out, as umap-learn's <c>spectral_layout</c> takes them.
/// </summary>
/// <remarks>
/// umap-learn asks ARPACK for them; here the same vectors are the leading eigenvectors of the shifted operator
/// (I + D^{-1/2} W D^{-1/2}) / 2, whose eigenvalues lie in [0, 1], found by block subspace iteration with the trivial
/// vector projected out and a Rayleigh–Ritz step (MathNet.Numerics for the small dense eigenproblem). The start block
/// is drawn from the layout's random stream, so the result is deterministic for a seed. Iteration stops when the Ritz
/// values change by less than 1e-7 or after <see cref="MaxIterations"/>: an initialisation needs the shape of these
/// vectors, not their last digits. A graph in several pieces gets, as further eigenvectors of eigenvalue 0, the pieces'
/// indicators, which places each piece apart (umap-learn lays pieces out separately instead).
/// </remarks>
internal static class SpectralInit
{
    private const int MaxIterations = 400;
    private const int Oversampling = 4;

    /// <summary>An n × dim row-major layout, or null when the graph is too small for it; <c>threads</c> bounds the parallel products.</summary>
    public static double[]? Layout(FuzzyGraph graph, int dim, Random random, int threads, CancellationToken cancellationToken)
    {
        int n = graph.Rows;
        int p = dim + Oversampling;
        if (n <= p + 1) return null;
        var degree = new double[n];
        for (int i = 0; i < n; i++)
            for (int e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++) degree[i] += graph.Weights[e];
        if (degree.Any(d => d <= 0)) return null; // an isolated row: the normalised Laplacian is undefined
        var scale = degree.Select(d => 1 / Math.Sqrt(d)).ToArray();
        var trivial = degree.Select(Math.Sqrt).ToArray();
        Normalize(trivial);

        var block = new double[p][];
        for (int c = 0; c < p; c++)
        {
            block[c] = new double[n];
            for (int i = 0; i < n; i++) block[c][i] = random.NextDouble() - 0.5;
        }
        Orthonormalize(block, trivial);
        var next = new double[p][];
        for (int c = 0; c < p; c++) next[c] = new double[n];
        var previous = new double[p];
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Parallel.For(0, p, new ParallelOptions { MaxDegreeOfParallelism = threads }, c => Apply(graph, scale, block[c], next[c]));
            // Rayleigh quotients of the current (orthonormal) block, the convergence measure.
            double change = 0;
            for (int c = 0; c < p; c++)
            {
                double q = Dot(block[c], next[c]);
                change = Math.Max(change, Math.Abs(q - previous[c]));
                previous[c] = q;
            }
            (block, next) = (next, block);
            Orthonormalize(block, trivial);
            if (iteration > 10 && change < 1e-7) break;
        }

        // Rayleigh–Ritz: the small projected problem orders and separates the vectors within the block.
        for (int c = 0; c < p; c++) Apply(graph, scale, block[c], next[c]);
        var projected = Matrix<double>.Build.Dense(p, p, (r, c) => Dot(block[r], next[c]));
        projected = (projected + projected.Transpose()) / 2;
        var evd = projected.Evd(Symmetricity.Symmetric);
        var layout = new double[n * dim];
        for (int c = 0; c < dim; c++)
        {
            int column = p - 1 - c; // ascending eigenvalues: the largest of the shifted operator first
            for (int r = 0; r < p; r++)
            {
                double w = evd.EigenVectors[r, column];
                var v = block[r];
                for (int i = 0; i < n; i++) layout[i * dim + c] += w * v[i];
            }
        }
        return layout;
    }

    /// <summary>y = (x + D^{-1/2} W D^{-1/2} x) / 2.</summary>
    private static void Apply(FuzzyGraph graph, double[] scale, double[] x, double[] y)
    {
        for (int i = 0; i < graph.Rows; i++)
        {
            double sum = 0;
            for (int e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
                sum += graph.Weights[e] * scale[graph.Columns[e]] * x[graph.Columns[e]];
            y[i] = (x[i] + scale[i] * sum) / 2;
        }
    }

    /// <summary>Modified Gram–Schmidt against the trivial vector and each other; a vector that vanishes is redrawn deterministically.</summary>
    private static void Orthonormalize(double[][] block, double[] trivial)
    {
        for (int c = 0; c < block.Length; c++)
        {
            var v = block[c];
            for (int pass = 0; pass < 2; pass++)
            {
                Subtract(v, trivial);
                for (int o = 0; o < c; o++) Subtract(v, block[o]);
            }
            if (!Normalize(v))
            {
                for (int i = 0; i < v.Length; i++) v[i] = ((i * 2654435761u + (uint)c * 40503u) % 1000) / 1000.0 - 0.5;
                Subtract(v, trivial);
                for (int o = 0; o < c; o++) Subtract(v, block[o]);
                Normalize(v);
            }
        }
    }

    private static void Subtract(double[] v, double[] unit)
    {
        double dot = Dot(v, unit);
        for (int i = 0; i < v.Length; i++) v[i] -= dot * unit[i];
    }

    private static bool Normalize(double[] v)
    {
        double norm = Math.Sqrt(Dot(v, v));
        if (!(norm > 1e-300)) return false;
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return true;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
