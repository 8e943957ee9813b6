using KpLab.Abstractions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace KpLab.Plugins.Pca;

/// <summary>
/// Principal component analysis as scikit-learn's <c>PCA(svd_solver="full")</c>: the rows are centred, the components
/// are the leading right singular vectors of the centred matrix, each signed as scikit-learn's <c>svd_flip</c> does
/// (the largest-magnitude score of each component is positive), and <c>whiten</c> divides each score by the
/// component's standard deviation.
/// </summary>
/// <remarks>
/// The singular vectors come from a dense symmetric eigendecomposition (MathNet.Numerics) of the d × d scatter matrix
/// XᵀX, or of the n × n Gram matrix XXᵀ when there are fewer rows than columns, in double precision: O(n d min(n, d))
/// time and 8 min(n, d)² bytes. Nothing is random, so the result depends on neither seed nor thread count.
/// </remarks>
[KpLabPlugin(PluginKind.Reducer, "pca", Description = "Principal component analysis (centred, full decomposition, optional whitening), as scikit-learn's PCA.")]
public sealed class PcaReducer(PcaOptions options) : IReducer
{
    private const string Name = "pca";

    /// <inheritdoc />
    public string Identity => $"pca/1(components={options.Components},whiten={(options.Whiten ? "true" : "false")})";

    /// <inheritdoc />
    public int OutputDimension => options.Components;

    /// <inheritdoc />
    public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => FitModel(data, cancellationToken);

    /// <summary><see cref="Fit"/> with the fitted model's type, for callers that read its components and variances.</summary>
    public PcaModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.ThrowIfEmptyOrNonFinite(Name);
        var (n, d, k) = (data.Rows, data.Columns, options.Components);
        if (n < 2) throw new ArgumentException($"{Name}: PCA needs at least 2 rows (the variance divides by n - 1); the matrix has {n}.", nameof(data));
        if (k > Math.Min(n, d))
            throw new PluginOptionException(Name, "components", $"must be at most min(rows, columns) = {Math.Min(n, d)} for a {n} x {d} matrix, got {k}.");

        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) mean[j] += row[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        var centred = Matrix<double>.Build.Dense(n, d, (i, j) => data[i, j] - mean[j]);
        cancellationToken.ThrowIfCancellationRequested();

        // Right singular vectors V and singular values s of the centred X, largest first.
        var components = new double[k * d];
        var singular = new double[k];
        double totalVariance = 0;
        if (d <= n)
        {
            var scatter = centred.TransposeThisAndMultiply(centred);
            totalVariance = scatter.Diagonal().Sum() / (n - 1);
            var evd = scatter.Evd(Symmetricity.Symmetric);
            for (int c = 0; c < k; c++)
            {
                int column = d - 1 - c; // ascending eigenvalues
                singular[c] = Math.Sqrt(Math.Max(evd.EigenValues[column].Real, 0));
                for (int j = 0; j < d; j++) components[c * d + j] = evd.EigenVectors[j, column];
            }
        }
        else
        {
            var gram = centred.TransposeAndMultiply(centred);
            totalVariance = gram.Diagonal().Sum() / (n - 1);
            var evd = gram.Evd(Symmetricity.Symmetric);
            for (int c = 0; c < k; c++)
            {
                int column = n - 1 - c;
                singular[c] = Math.Sqrt(Math.Max(evd.EigenValues[column].Real, 0));
                // v = Xᵀu / s; a zero singular value leaves the component zero (the data has rank < k).
                var v = centred.TransposeThisAndMultiply(evd.EigenVectors.Column(column));
                double norm = v.L2Norm();
                for (int j = 0; j < d; j++) components[c * d + j] = norm > 0 ? v[j] / norm : 0;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();

        var scores = centred.Multiply(Matrix<double>.Build.Dense(d, k, (j, c) => components[c * d + j]));
        for (int c = 0; c < k; c++)
        {
            // svd_flip (u-based): the score of largest magnitude in each component is positive.
            int argMax = 0;
            for (int i = 1; i < n; i++)
                if (Math.Abs(scores[i, c]) > Math.Abs(scores[argMax, c])) argMax = i;
            if (scores[argMax, c] < 0)
            {
                for (int j = 0; j < d; j++) components[c * d + j] = -components[c * d + j];
                for (int i = 0; i < n; i++) scores[i, c] = -scores[i, c];
            }
        }

        var variance = singular.Select(s => s * s / (n - 1)).ToArray();
        var model = new PcaModel(mean, components, variance,
            variance.Select(v => totalVariance > 0 ? v / totalVariance : 0).ToArray(), options.Whiten, null!);
        var embedding = EmbeddingMatrix.Create(n, k, values =>
        {
            for (int i = 0; i < n; i++)
                for (int c = 0; c < k; c++)
                    values[i * k + c] = (float)model.Scale(scores[i, c], c);
        });
        return model with { Embedding = embedding };
    }
}
