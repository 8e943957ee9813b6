using System.Globalization;
using KpLab.Abstractions;

namespace KpLab.Plugins.Tfidf;

/// <summary>
/// TF-IDF vectors of word or character n-grams, fitted on the texts being embedded, equal to scikit-learn 1.2.1's
/// <c>TfidfVectorizer(...).fit_transform(texts)</c> (same vocabulary and column order, values to float32 rounding),
/// optionally reduced by LSA (truncated SVD) to <see cref="TfidfOptions.Components"/> dense dimensions.
/// </summary>
/// <remarks>
/// <para>Texts: null is an empty text; empty, whitespace-only and feature-less texts (emoji, one-letter words, lone
/// surrogates, which are kept as their own code points as in a Python str and are never word characters) give zero
/// rows. Very long texts are fine (counting is linear in the text).</para>
/// <para>Output: without LSA the rows are the dense n × |vocabulary| TF-IDF matrix; a vocabulary wider than
/// <see cref="TfidfOptions.MaxDenseColumns"/> is an error (set maxFeatures or components). When no feature survives
/// (every text empty, or pruning removed all), scikit-learn raises; this plugin logs it and returns n × 0 (n ×
/// components with LSA) zeros. With LSA the rows are U·Σ, and components beyond the rank of the matrix are zero.</para>
/// </remarks>
[KpLabPlugin(PluginKind.Embedder, "tfidf",
    Description = "TF-IDF of word or character n-grams fitted on the texts (scikit-learn-exact), with optional LSA.")]
public sealed class TfidfEmbedder(TfidfOptions options, PluginContext context) : IEmbedder
{
    private readonly TfidfOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly PluginContext _context = context ?? throw new ArgumentNullException(nameof(context));

    /// <inheritdoc />
    public string Identity => FormattableString.Invariant(
        $"tfidf/sklearn-1.2.1;analyzer={_options.Analyzer};ngram={_options.NgramMin}-{_options.NgramMax};lowercase={_options.Lowercase};minDf={_options.MinDf:R};maxDf={_options.MaxDf:R};maxFeatures={(_options.MaxFeatures is int m ? m.ToString(CultureInfo.InvariantCulture) : "all")};binary={_options.Binary};useIdf={_options.UseIdf};smoothIdf={_options.SmoothIdf};sublinearTf={_options.SublinearTf};norm={_options.Norm};components={_options.Components}")
        + (_options.Components > 0 ? FormattableString.Invariant($";lsaSeed={_context.Random.DeriveSeed(RandomStream)}") : "");

    /// <inheritdoc />
    /// <remarks>0 without LSA: the width is the vocabulary size, known only after fitting (see <see cref="Vocabulary"/>).</remarks>
    public int Dimension => _options.Components;

    /// <summary>Always true: the vocabulary, idf weights and LSA axes are fitted on the texts being embedded.</summary>
    public bool DependsOnBatch => true;

    /// <summary>The features of the last fit, in column order (empty before the first call).</summary>
    public IReadOnlyList<string> Vocabulary { get; private set; } = [];

    /// <summary>The idf of each feature of the last fit.</summary>
    public IReadOnlyList<double> Idf { get; private set; } = [];

    /// <summary>With LSA, the singular values of the last fit (σ₁ ≥ σ₂ ≥ …); empty otherwise.</summary>
    public IReadOnlyList<double> SingularValues { get; private set; } = [];

    /// <summary>With LSA, Vᵀ of the last fit: components × |vocabulary|, row-major; empty otherwise.</summary>
    public IReadOnlyList<double> Components { get; private set; } = [];

    private const string RandomStream = "tfidf.lsa";

    /// <inheritdoc />
    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        // Nothing to fit on: no rows, and the declared width (the LSA dimension, else 0).
        if (texts.Count == 0) return EmbeddingMatrix.Create(0, _options.Components, _ => { });
        var fit = TfidfFit.Compute(texts, _options, cancellationToken);
        Vocabulary = fit.Vocabulary;
        Idf = fit.Idf;
        int n = texts.Count, width = fit.Vocabulary.Length;
        _context.Log($"tfidf: {n} texts, {width} features ({_options.Analyzer}, n-grams {_options.NgramMin}-{_options.NgramMax}).");
        if (width == 0)
            _context.Log("tfidf: no feature remains (all texts empty or every feature pruned); the rows are zero.");

        EmbeddingMatrix result;
        if (_options.Components > 0)
        {
            int k = _options.Components;
            var svd = TruncatedSvd.Compute(fit.Weights, k, _context.Random.CreateRandom(RandomStream), cancellationToken);
            _context.Log($"tfidf: LSA to {k} components took {svd.Steps} Lanczos steps (σ₁ = {svd.SingularValues[0]:G6}).");
            SingularValues = svd.SingularValues;
            Components = svd.Components;
            if (width < k || n < k)
                _context.Log($"tfidf: rank is at most {Math.Min(width, n)} < components {k}; the extra columns are zero.");
            result = EmbeddingMatrix.Create(n, k, span =>
            {
                for (int i = 0; i < span.Length; i++) span[i] = (float)svd.Projection[i];
            });
        }
        else
        {
            if (width > _options.MaxDenseColumns)
                throw new ArgumentException(
                    $"tfidf: the vocabulary has {width} features, more than maxDenseColumns ({_options.MaxDenseColumns}) for a dense " +
                    $"{n} x {width} output; set maxFeatures, raise minDf, or reduce with components (LSA).");
            var weights = fit.Weights;
            result = EmbeddingMatrix.Create(n, width, span =>
            {
                for (int r = 0; r < n; r++)
                    for (int k = weights.RowStarts[r]; k < weights.RowStarts[r + 1]; k++)
                        span[r * width + weights.ColumnIndices[k]] = (float)weights.Values[k];
            });
        }
        progress?.Report(new EmbeddingProgress(n, n));
        return result;
    }
}
