using System.Globalization;
using KpLab.Abstractions;
using KpLab.Kernels;
using KpLab.Plugins.Onnx.Tokenization;

namespace KpLab.Plugins.Onnx;

/// <summary>Counts from the latest <see cref="OnnxEmbedder.Embed"/> call.</summary>
/// <param name="Texts">Texts embedded.</param>
/// <param name="Tokens">Tokens fed to the model, [CLS] and [SEP] included, padding excluded.</param>
/// <param name="TruncatedTexts">Texts cut to the maximum length.</param>
/// <param name="UnknownTokens">[UNK] tokens among <paramref name="Tokens"/>.</param>
/// <param name="PaddingTokens">Padding positions fed (kept low by sorting texts by length).</param>
/// <param name="Batches">Model runs.</param>
public sealed record OnnxEmbeddingStatistics(int Texts, long Tokens, int TruncatedTexts, long UnknownTokens, long PaddingTokens, int Batches);

/// <summary>
/// Sentence vectors from a BERT-family model exported to ONNX (sentence-transformers layout), run on ONNX Runtime's
/// managed API. Texts are tokenized as Hugging Face's BertTokenizerFast does, truncated to the maximum length (counted
/// in <see cref="Statistics"/> and logged), sorted by length and batched under a token budget with [PAD]/mask 0, and
/// pooled (mean, [CLS] or max over the unmasked tokens), optionally L2-normalised.
/// No-content texts: null reads as empty, and an empty or whitespace-only text is embedded as "[CLS] [SEP]" (the
/// model's vector for no content, not a zero row). Lone UTF-16 surrogates read as U+FFFD, which BERT's text cleaning
/// drops; emoji are [UNK] unless the vocabulary has them.
/// </summary>
[KpLabPlugin(PluginKind.Embedder, "onnx", Description = "Sentence vectors from a BERT-family ONNX model (sentence-transformers folder) on ONNX Runtime, with a Hugging Face-exact WordPiece tokenizer and mean/cls/max pooling.")]
public sealed class OnnxEmbedder : IEmbedder, IDisposable
{
    private readonly OnnxEmbedderOptions _options;
    private readonly PluginContext _context;
    private readonly SentenceModelFolder _folder;
    private readonly OnnxSession _session;

    /// <summary>Opens the model folder and loads the model into ONNX Runtime (both once per process, through
    /// <see cref="PluginContext.Models"/>).</summary>
    public OnnxEmbedder(OnnxEmbedderOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        _options = options;
        _context = context;
        _folder = context.Models.GetOrLoad(SentenceModelFolder.Stamp(options.Model), () => SentenceModelFolder.Open(options.Model));
        PoolingMode = options.Pooling != Pooling.Auto
            ? options.Pooling
            : _folder.ConfiguredPooling ?? throw new PluginOptionException("onnx", "pooling",
                $"the model folder '{_folder.Path}' has no 1_Pooling/config.json saying how token states become a sentence vector; set pooling to mean, cls or max (the model card says which)");
        Normalize = options.Normalize ?? _folder.ConfiguredNormalize ?? true;
        MaxLength = options.MaxLength ?? _folder.DefaultMaxLength;
        if (_folder.MaxPositions is { } positions && MaxLength > positions)
            throw new PluginOptionException("onnx", "maxLength",
                $"must not exceed the model's max_position_embeddings ({positions}), got {MaxLength}");
        Threads = options.Threads ?? Math.Max(1, context.Threads);
        var sessionKey = $"{_folder.ContentHash}/{Threads.ToString(CultureInfo.InvariantCulture)}/{options.OutputName}";
        _session = context.Models.GetOrLoad(sessionKey, () => new OnnxSession(_folder.ModelPath, Threads, options.OutputName));
        Dimension = _session.DeclaredHidden > 0 ? _session.DeclaredHidden : _folder.HiddenSize ?? 0;
        // Content, not path: a moved or copied folder keeps its cached vectors; a changed file gets new ones.
        var identity = $"onnx/{_folder.ContentHash[..16]}/{PoolingMode.ToString().ToLowerInvariant()}/" +
                       $"{(Normalize ? "normalized" : "raw")}/{MaxLength.ToString(CultureInfo.InvariantCulture)}";
        Identity = options.OutputName is null ? identity : $"{identity}/{options.OutputName}";
    }

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public int Dimension { get; private set; }

    /// <summary>The pooling in effect (auto resolved).</summary>
    public Pooling PoolingMode { get; }

    /// <summary>Whether sentence vectors are scaled to unit length (the option, else modules.json, else true).</summary>
    public bool Normalize { get; }

    /// <summary>Most tokens per text, [CLS] and [SEP] included.</summary>
    public int MaxLength { get; }

    /// <summary>ONNX Runtime intra-op threads.</summary>
    public int Threads { get; }

    /// <summary>The tokenizer read from the model folder.</summary>
    public BertWordPieceTokenizer Tokenizer => _folder.Tokenizer;

    /// <summary>Counts from the latest <see cref="Embed"/> call (all zero before the first).</summary>
    public OnnxEmbeddingStatistics Statistics { get; private set; } = new(0, 0, 0, 0, 0, 0);

    /// <inheritdoc />
    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var n = texts.Count;
        var encoded = new int[n][];
        int truncated = 0;
        long tokens = 0, unknown = 0;
        var unknownId = _folder.Tokenizer.UnknownId;
        for (var i = 0; i < n; i++)
        {
            var text = _folder.LowercaseFirst ? texts[i]?.ToLowerInvariant() : texts[i];
            encoded[i] = _folder.Tokenizer.Encode(text, MaxLength, out var untruncated);
            if (untruncated > encoded[i].Length) truncated++;
            tokens += encoded[i].Length;
            foreach (var id in encoded[i]) if (id == unknownId) unknown++;
        }

        if (truncated > 0)
            _context.Log($"onnx: truncated {truncated} of {n} texts to {MaxLength} tokens ([CLS] and [SEP] included).");

        // Longest first, stable: a batch holds texts of similar length, so little padding is fed; a batch is closed
        // when one more text would take its padded size past the token budget (or its count past batchSize), so
        // short texts go in large batches and long ones in small, and no run grows past what the caches hold.
        var order = Enumerable.Range(0, n).OrderByDescending(i => encoded[i].Length).ToArray();
        var longest = n == 0 ? 1 : encoded[order[0]].Length;
        var capacity = Math.Max(longest, Math.Min((long)_options.BatchSize * longest, _options.TokenBudget));
        var inputIds = new long[capacity];
        var attentionMask = new long[capacity];
        var tokenTypeIds = new long[capacity]; // single-segment input: all 0
        float[]? vectors = Dimension > 0 ? new float[n * Dimension] : null;
        long padding = 0;
        var batches = 0;
        progress?.Report(new EmbeddingProgress(0, n));
        for (var start = 0; start < n;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sequence = encoded[order[start]].Length;
            var batch = BatchLength(n - start, sequence);
            for (var b = 0; b < batch; b++)
            {
                var ids = encoded[order[start + b]];
                var row = b * sequence;
                for (var t = 0; t < sequence; t++)
                {
                    var real = t < ids.Length;
                    inputIds[row + t] = real ? ids[t] : _folder.Tokenizer.PadId;
                    attentionMask[row + t] = real ? 1 : 0;
                }

                padding += sequence - ids.Length;
            }

            var batchStart = start;
            _session.Run(inputIds, attentionMask, tokenTypeIds, batch, sequence, (states, _, seq, hidden) =>
            {
                if (vectors is null)
                {
                    Dimension = hidden;
                    vectors = new float[n * hidden];
                }
                else if (hidden != Dimension)
                {
                    throw new InvalidOperationException($"onnx: the model returned {hidden} features per token; expected {Dimension}.");
                }

                for (var b = 0; b < batch; b++)
                {
                    var index = order[batchStart + b];
                    var length = encoded[index].Length;
                    Pool(states.Slice(b * seq * hidden, length * hidden), hidden, vectors.AsSpan(index * hidden, hidden));
                }
            });
            batches++;
            start += batch;
            progress?.Report(new EmbeddingProgress(start, n));
        }

        Statistics = new OnnxEmbeddingStatistics(n, tokens, truncated, unknown, padding, batches);
        return EmbeddingMatrix.FromValues(n, Dimension, vectors ?? []);
    }

    /// <summary>Texts in the next batch: as many as fit the token budget at <paramref name="sequence"/> tokens each
    /// (at least one), at most batchSize and the texts left.</summary>
    private int BatchLength(int left, int sequence) =>
        Math.Max(1, Math.Min(Math.Min(left, _options.BatchSize), _options.TokenBudget / sequence));

    /// <summary>Pools one text's token states (unmasked tokens only) into <paramref name="vector"/>.</summary>
    private void Pool(ReadOnlySpan<float> states, int hidden, Span<float> vector)
    {
        var length = states.Length / hidden;
        switch (PoolingMode)
        {
            case Pooling.Cls:
                states[..hidden].CopyTo(vector);
                break;
            case Pooling.Max:
                states[..hidden].CopyTo(vector);
                for (var t = 1; t < length; t++) ElementwiseMaximum.Accumulate(states.Slice(t * hidden, hidden), vector);
                break;
            default:
                vector.Clear();
                for (var t = 0; t < length; t++) VectorMath.Add(states.Slice(t * hidden, hidden), vector);
                VectorMath.Scale(1f / length, vector);
                break;
        }

        if (Normalize) VectorMath.L2Normalize(vector);
    }

    /// <summary>Nothing to release: the session belongs to the model cache and is shared by every embedder of the
    /// same model and thread count for the life of the process.</summary>
    public void Dispose()
    {
    }
}
