using KpLab.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace KpLab.Plugins.Tfidf;

/// <summary>The leading singular triplets of a sparse matrix.</summary>
/// <param name="SingularValues">σ₁ ≥ σ₂ ≥ …, length k.</param>
/// <param name="Projection">U·Σ = X·V, n × k row-major: the LSA coordinates of the rows.</param>
/// <param name="Components">Vᵀ, k × |columns| row-major: the right singular vectors (sklearn's <c>components_</c>).</param>
/// <param name="Iterations">Subspace iterations used.</param>
internal sealed record SvdResult(double[] SingularValues, double[] Projection, double[] Components, int Iterations);

/// <summary>
/// Truncated SVD (LSA) by block subspace iteration on XᵀX with Rayleigh–Ritz extraction, in double precision. The
/// block is k plus an oversampling margin and starts from seeded Gaussian vectors; iteration stops when the leading k
/// Ritz values change by less than 1e-12 relative, so the result is the exact top-k SVD to rounding (unlike
/// scikit-learn's randomized solver, which stops after a fixed number of passes). Signs are fixed as
/// <c>svd_flip</c> with <c>u_based_decision=False</c>: each right singular vector's largest-|value| entry is positive.
/// Singular directions beyond the rank of X have σ = 0 and zero coordinates.
/// </summary>
internal static class TruncatedSvd
{
    private const double Tolerance = 1e-12;
    private const int MaxIterations = 1000;

    public static SvdResult Compute(SparseRows x, int k, Random random, CancellationToken cancellationToken)
    {
        int n = x.Rows, v = x.Columns;
        int rank = Math.Min(n, v);
        int block = Math.Min(rank, k + Math.Max(10, k / 2));
        var singular = new double[k];
        var projection = new double[(long)n * k];
        var components = new double[(long)k * v];
        if (block == 0) return new SvdResult(singular, projection, components, 0);

        var xt = x.Transpose();
        // Q: v × block, row-major, orthonormal columns.
        var q = new double[(long)v * block];
        for (int i = 0; i < q.Length; i++) q[i] = Gaussian(random);
        Orthonormalize(q, v, block, random);
        var previous = new double[block];
        double[] y = [], ritzVectors = [], lambdas = [];
        int iteration = 0;
        for (; iteration < MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            y = x.Multiply(q, block); // n × block: X·Q
            var gram = Gram(y, n, block); // QᵀXᵀXQ
            var evd = gram.Evd(Symmetricity.Symmetric);
            // MathNet orders eigenvalues ascending; reverse into descending order.
            lambdas = new double[block];
            ritzVectors = new double[block * block];
            for (int j = 0; j < block; j++)
            {
                int src = block - 1 - j;
                lambdas[j] = Math.Max(evd.EigenValues[src].Real, 0);
                for (int i = 0; i < block; i++) ritzVectors[i * block + j] = evd.EigenVectors[i, src];
            }
            bool converged = iteration > 0;
            double scale = Math.Max(lambdas[0], double.Epsilon);
            for (int j = 0; j < Math.Min(k, block) && converged; j++)
                if (Math.Abs(lambdas[j] - previous[j]) > Tolerance * scale) converged = false;
            lambdas.CopyTo(previous, 0);
            if (converged || block == v) break;
            var z = xt.Multiply(y, block); // v × block: XᵀX·Q
            Orthonormalize(z, v, block, random);
            q = z;
        }

        // Ritz basis: V = Q·W, U·Σ = X·Q·W.
        var basis = Rotate(q, v, block, ritzVectors);
        var coordinates = Rotate(y, n, block, ritzVectors);
        for (int j = 0; j < Math.Min(k, block); j++)
        {
            singular[j] = Math.Sqrt(lambdas[j]);
            if (singular[j] <= Tolerance * Math.Sqrt(lambdas[0])) { singular[j] = 0; continue; }
            int argMax = 0;
            for (int i = 1; i < v; i++)
                if (Math.Abs(basis[i * block + j]) > Math.Abs(basis[argMax * block + j])) argMax = i;
            double sign = basis[argMax * block + j] < 0 ? -1 : 1;
            for (int i = 0; i < v; i++) components[(long)j * v + i] = sign * basis[i * block + j];
            for (int r = 0; r < n; r++) projection[(long)r * k + j] = sign * coordinates[r * block + j];
        }
        return new SvdResult(singular, projection, components, iteration + 1);
    }

    private static Matrix<double> Gram(double[] y, int rows, int width)
    {
        var gram = Matrix<double>.Build.Dense(width, width);
        var columns = new double[width][];
        for (int j = 0; j < width; j++)
        {
            columns[j] = new double[rows];
            for (int r = 0; r < rows; r++) columns[j][r] = y[r * width + j];
        }
        for (int a = 0; a < width; a++)
            for (int b = a; b < width; b++)
            {
                double dot = DoubleVectorMath.Dot(columns[a], columns[b]);
                gram[a, b] = dot;
                gram[b, a] = dot;
            }
        return gram;
    }

    private static double[] Rotate(double[] m, int rows, int width, double[] w)
    {
        var result = new double[m.Length];
        for (int r = 0; r < rows; r++)
        {
            var source = m.AsSpan(r * width, width);
            var target = result.AsSpan(r * width, width);
            for (int i = 0; i < width; i++) DoubleVectorMath.Axpy(source[i], w.AsSpan(i * width, width), target);
        }
        return result;
    }

    // Modified Gram–Schmidt (twice) on the columns of a row-major rows × width matrix; a column that vanishes (the
    // matrix is rank deficient) is replaced by a fresh random direction.
    private static void Orthonormalize(double[] m, int rows, int width, Random random)
    {
        var columns = new double[width][];
        for (int j = 0; j < width; j++)
        {
            columns[j] = new double[rows];
            for (int r = 0; r < rows; r++) columns[j][r] = m[r * width + j];
        }
        for (int j = 0; j < width; j++)
        {
            var c = columns[j];
            for (int attempt = 0; ; attempt++)
            {
                double before = DoubleVectorMath.Norm(c);
                for (int pass = 0; pass < 2; pass++)
                    for (int i = 0; i < j; i++) DoubleVectorMath.Axpy(-DoubleVectorMath.Dot(columns[i], c), columns[i], c);
                double after = DoubleVectorMath.Norm(c);
                if (after > 1e-10 * before && after > 0) { DoubleVectorMath.Scale(1 / after, c); break; }
                if (attempt > 5) throw new InvalidOperationException("tfidf: could not complete an orthonormal basis.");
                for (int r = 0; r < rows; r++) c[r] = Gaussian(random);
            }
        }
        for (int j = 0; j < width; j++)
            for (int r = 0; r < rows; r++) m[r * width + j] = columns[j][r];
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
