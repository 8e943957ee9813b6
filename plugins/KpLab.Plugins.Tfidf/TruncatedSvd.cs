using KpLab.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace KpLab.Plugins.Tfidf;

/// <summary>The leading singular triplets of a sparse matrix.</summary>
/// <param name="SingularValues">σ₁ ≥ σ₂ ≥ …, length k (zero beyond the rank).</param>
/// <param name="Projection">U·Σ = X·V, n × k row-major: the LSA coordinates of the rows.</param>
/// <param name="Components">Vᵀ, k × |columns| row-major: the right singular vectors (sklearn's <c>components_</c>).</param>
/// <param name="Steps">Lanczos steps taken.</param>
internal sealed record SvdResult(double[] SingularValues, double[] Projection, double[] Components, int Steps);

/// <summary>
/// Truncated SVD (LSA) by Golub–Kahan–Lanczos bidiagonalization with one-sided full reorthogonalization, in double precision,
/// from a seeded random start. Every few steps the small bidiagonal matrix is decomposed (MathNet) and the run stops
/// once each of the k leading Ritz triplets has a residual |Xᵀu − σv| below 1e-9·σ₁, which bounds the error of every
/// σ by the same amount: the result is the exact top-k SVD to that accuracy, unlike scikit-learn's randomized solver
/// (a fixed number of passes). Signs follow <c>svd_flip(u_based_decision=False)</c>: each right singular vector's
/// largest-|value| entry is positive. Directions beyond the rank of X get σ = 0 and zero coordinates.
/// </summary>
internal static class TruncatedSvd
{
    private const double Tolerance = 1e-9;

    public static SvdResult Compute(SparseRows x, int k, Random random, CancellationToken cancellationToken)
    {
        int n = x.Rows, width = x.Columns;
        int rank = Math.Min(n, width);
        var singular = new double[k];
        var projection = new double[(long)n * k];
        var components = new double[(long)k * width];
        if (rank == 0 || x.Values.Length == 0) return new SvdResult(singular, projection, components, 0);

        var xt = x.Transpose();
        // One-sided reorthogonalization (Simon and Zha 2000): only the shorter vectors are kept orthogonal, which keeps
        // the Ritz values and that side's vectors accurate; the other side is only ever used through X·v.
        bool orthogonalizeLeft = n <= width;
        var left = new List<double[]>();   // u₁ … u_m (length n)
        var right = new List<double[]>();  // v₁ … v_{m+1} (length width)
        var alpha = new List<double>();
        var beta = new List<double>();
        var v = new double[width];
        for (int i = 0; i < v.Length; i++) v[i] = Gaussian(random);
        DoubleVectorMath.Scale(1 / DoubleVectorMath.Norm(v), v);
        right.Add(v);

        int nextCheck = Math.Min(rank, k + 20);
        Ritz? small = null;
        bool exhausted = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int j = left.Count;
            // u_j = X v_j − β_{j−1} u_{j−1} (reorthogonalised against every earlier u on the left side).
            var u = Multiply(x, right[j]);
            if (j > 0) DoubleVectorMath.Axpy(-beta[j - 1], left[j - 1], u);
            double a = orthogonalizeLeft ? Reorthogonalize(u, left) : DoubleVectorMath.Norm(u);
            if (a <= 1e-14 * Scale(alpha)) exhausted = true;
            else
            {
                DoubleVectorMath.Scale(1 / a, u);
                left.Add(u);
                alpha.Add(a);
                // v_{j+1} = Xᵀ u_j − α_j v_j (reorthogonalised against every earlier v on the right side).
                var next = Multiply(xt, u);
                DoubleVectorMath.Axpy(-a, right[j], next);
                double b = orthogonalizeLeft ? DoubleVectorMath.Norm(next) : Reorthogonalize(next, right);
                beta.Add(b);
                if (b <= 1e-14 * Scale(alpha)) exhausted = true;
                else
                {
                    DoubleVectorMath.Scale(1 / b, next);
                    right.Add(next);
                }
            }
            int m = left.Count;
            if (m == 0) return new SvdResult(singular, projection, components, 0); // X v₁ = 0: X is zero
            if (exhausted || m >= rank || m >= nextCheck)
            {
                small = Ritz.Of(alpha, beta, m);
                if (exhausted || m >= rank || small.Converged(Math.Min(k, m))) break;
                nextCheck = Math.Min(rank, m + Math.Max(10, m / 4));
            }
        }

        int steps = left.Count, found = Math.Min(k, steps);
        double sigma1 = small!.Sigma[0];
        for (int c = 0; c < found; c++)
        {
            double s = small.Sigma[c];
            if (s <= 1e-12 * sigma1) break;
            // v = V_m q_c (right singular vector), coordinates X v = σ u.
            var direction = new double[width];
            for (int i = 0; i < steps; i++) DoubleVectorMath.Axpy(small.Vectors[i, c], right[i], direction);
            DoubleVectorMath.Scale(1 / DoubleVectorMath.Norm(direction), direction);
            int argMax = 0;
            for (int i = 1; i < width; i++) if (Math.Abs(direction[i]) > Math.Abs(direction[argMax])) argMax = i;
            if (direction[argMax] < 0) DoubleVectorMath.Scale(-1, direction);
            var coordinates = Multiply(x, direction);
            singular[c] = s;
            direction.CopyTo(components, (long)c * width);
            for (int r = 0; r < n; r++) projection[(long)r * k + c] = coordinates[r];
        }
        return new SvdResult(singular, projection, components, steps);
    }

    /// <summary>
    /// The SVD of the m × m upper-bidiagonal B = diag(α) + superdiag(β) through the symmetric eigenproblem of BᵀB
    /// (σ² and the right vectors q; an order of magnitude cheaper than a dense SVD, and squaring costs only relative
    /// accuracy ε·σ₁²/σᵢ², far below the tolerance for the leading σ).
    /// </summary>
    private sealed class Ritz
    {
        private double _alphaLast, _betaLast;

        public double[] Sigma { get; private init; } = [];
        public Matrix<double> Vectors { get; private init; } = null!; // column c = q_c, descending σ

        public static Ritz Of(List<double> alpha, List<double> beta, int m)
        {
            var btb = Matrix<double>.Build.Dense(m, m);
            for (int i = 0; i < m; i++)
            {
                btb[i, i] = alpha[i] * alpha[i] + (i > 0 ? beta[i - 1] * beta[i - 1] : 0);
                if (i + 1 < m)
                {
                    btb[i, i + 1] = alpha[i] * beta[i];
                    btb[i + 1, i] = alpha[i] * beta[i];
                }
            }
            var evd = btb.Evd(Symmetricity.Symmetric);
            var sigma = new double[m];
            var vectors = Matrix<double>.Build.Dense(m, m);
            for (int c = 0; c < m; c++)
            {
                int source = m - 1 - c; // MathNet orders eigenvalues ascending
                sigma[c] = Math.Sqrt(Math.Max(evd.EigenValues[source].Real, 0));
                vectors.SetColumn(c, evd.EigenVectors.Column(source));
            }
            return new Ritz { Sigma = sigma, Vectors = vectors, _alphaLast = alpha[m - 1], _betaLast = beta[m - 1] };
        }

        // Residual of triplet i: β_m·|p_i[m]| with p_i = B q_i / σ_i, whose last entry is α_m·q_i[m] / σ_i.
        public bool Converged(int k)
        {
            int m = Sigma.Length;
            for (int i = 0; i < k; i++)
            {
                double residual = Sigma[i] > 0 ? Math.Abs(_betaLast * _alphaLast * Vectors[m - 1, i] / Sigma[i]) : 0;
                if (residual > Tolerance * Sigma[0]) return false;
            }
            return true;
        }
    }

    // Classical Gram–Schmidt, repeated once when the first pass cancels much of w ("twice is enough", with Kahan's
    // 1/√2 criterion); returns the remaining norm.
    private static double Reorthogonalize(double[] w, List<double[]> basis)
    {
        double before = DoubleVectorMath.Norm(w);
        for (int pass = 0; pass < 2; pass++)
        {
            var coefficients = new double[basis.Count];
            Parallel.For(0, basis.Count, new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current },
                i => coefficients[i] = DoubleVectorMath.Dot(basis[i], w));
            for (int i = 0; i < basis.Count; i++) DoubleVectorMath.Axpy(-coefficients[i], basis[i], w);
            double after = DoubleVectorMath.Norm(w);
            if (after > 0.7071 * before) return after;
            before = after;
        }
        return before;
    }

    private static double[] Multiply(SparseRows m, double[] vector) => m.Multiply(vector);

    private static double Scale(List<double> alpha) => alpha.Count == 0 ? 1 : alpha.Max();

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
