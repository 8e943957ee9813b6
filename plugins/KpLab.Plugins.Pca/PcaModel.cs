using KpLab.Abstractions;

namespace KpLab.Plugins.Pca;

/// <summary>A fitted PCA: the column means, the components, their variances, and the reduced training rows.</summary>
/// <param name="Mean">The column means subtracted before projecting (scikit-learn's <c>mean_</c>), length d.</param>
/// <param name="Components">The components, row-major k × d, unit length, largest variance first (<c>components_</c>).</param>
/// <param name="ExplainedVariance">Each component's variance, with n − 1 in the denominator (<c>explained_variance_</c>).</param>
/// <param name="ExplainedVarianceRatio">Each component's share of the total variance (<c>explained_variance_ratio_</c>).</param>
/// <param name="Whiten">Whether scores are divided by the component's standard deviation.</param>
/// <param name="Embedding">The reduced training rows.</param>
public sealed record PcaModel(
    IReadOnlyList<double> Mean, IReadOnlyList<double> Components, IReadOnlyList<double> ExplainedVariance,
    IReadOnlyList<double> ExplainedVarianceRatio, bool Whiten, EmbeddingMatrix Embedding) : IReducerModel
{
    /// <inheritdoc />
    public int InputDimension => Mean.Count;

    /// <inheritdoc />
    public int OutputDimension => ExplainedVariance.Count;

    /// <inheritdoc />
    public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != InputDimension)
            throw new ArgumentException($"pca: the model was fitted on {InputDimension} columns; the new rows have {data.Columns}.", nameof(data));
        data.ThrowIfNonFinite("pca");
        var (d, k) = (InputDimension, OutputDimension);
        var mean = Mean as double[] ?? Mean.ToArray();
        var components = Components as double[] ?? Components.ToArray();
        var centred = new double[d];
        return EmbeddingMatrix.Create(data.Rows, k, values =>
        {
            for (int i = 0; i < data.Rows; i++)
            {
                var row = data.Row(i);
                for (int j = 0; j < d; j++) centred[j] = row[j] - mean[j];
                for (int c = 0; c < k; c++)
                {
                    double score = 0;
                    for (int j = 0; j < d; j++) score += centred[j] * components[c * d + j];
                    values[i * k + c] = (float)Scale(score, c);
                }
            }
        });
    }

    /// <summary>A score as the reducer outputs it: divided by the component's standard deviation when whitening.</summary>
    internal double Scale(double score, int component) =>
        Whiten ? (ExplainedVariance[component] > 0 ? score / Math.Sqrt(ExplainedVariance[component]) : 0) : score;
}
