using System.Globalization;
using KpLab.Abstractions;
using KpLab.Kernels;
using KpLab.Plugins.Onnx.Native;
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
/// Sentence vectors from a BERT-family model exported to ONNX (sentence-transformers layout), run on ONNX Runtime
/// through KpLab's own binding to its C API. Texts are tokenized as Hugging Face's BertTokenizerFast does, truncated
/// to the maximum length (counted in <see cref="Statistics"/> and logged), sorted by length and batched with
/// [PAD]/mask 0, and pooled (mean, [CLS] or max over the unmasked tokens), optionally L2-normalised.
/// No-content texts: null reads as empty, and an empty or whitespace-only text is embedded as "[CLS] [SEP]" (the
/// model's vector for no content, not a zero row). Lone UTF-16 surrogates read as U+FFFD, which BERT's text cleaning
/// drops; emoji are [UNK] unless the vocabulary has them.
/// </summary>
[KpLabPlugin(PluginKind.Embedder, "onnx", Description = "Sentence vectors from a BERT-family ONNX model (sentence-transformers folder) on ONNX Runtime, with a Hugging Face-exact WordPiece tokenizer and mean/cls/max pooling.")]
public sealed class OnnxEmbedder : IEmbedder, IDisposable
{
    /// <summary>Where scripts/fetch-models puts the engine, under the KpLab cache.</summary>
    public static readonly string CachedRuntimeLibrary = Path.Combine(
        "packages", "onnxruntime-node@1.30.0", "package", "bin", "napi-v6", "linux", "x64", "libonnxruntime.so.1");

    private readonly OnnxEmbedderOptions _options;
    private readonly PluginContext _context;
    private readonly SentenceModelFolder _folder;
    private readonly OnnxSession _session;

    /// <summary>Opens the model folder and loads the model into ONNX Runtime.</summary>
    public OnnxEmbedder(OnnxEmbedderOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        _options = options;
        _context = context;
        _folder = SentenceModelFolder.Open(options.Model);
        PoolingMode = options.Pooling == Pooling.Auto ? _folder.ConfiguredPooling ?? Pooling.Mean : options.Pooling;
        MaxLength = options.MaxLength ?? _folder.DefaultMaxLength;
        if (_folder.MaxPositions is { } positions && MaxLength > positions)
            throw new PluginOptionException("onnx", "maxLength",
                $"must not exceed the model's max_position_embeddings ({positions}), got {MaxLength}");
        Threads = options.Threads ?? Math.Max(1, context.Threads);
        RuntimeLibrary = ResolveRuntimeLibrary(options, context);
        var runtime = OrtRuntime.Load(RuntimeLibrary);
        _session = new OnnxSession(runtime, _folder.ModelPath, Threads, options.OutputName);
        Dimension = _session.DeclaredHidden > 0 ? _session.DeclaredHidden : _folder.HiddenSize ?? 0;
        var identity = $"onnx/{Path.GetFileName(_folder.Path)}/{_folder.ContentHash}/{PoolingMode.ToString().ToLowerInvariant()}/" +
                       $"{(options.Normalize ? "normalized" : "raw")}/{MaxLength.ToString(CultureInfo.InvariantCulture)}";
        Identity = options.OutputName is null ? identity : $"{identity}/{options.OutputName}";
    }

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public int Dimension { get; private set; }

    /// <summary>The pooling in effect (auto resolved).</summary>
    public Pooling PoolingMode { get; }

    /// <summary>Most tokens per text, [CLS] and [SEP] included.</summary>
    public int MaxLength { get; }

    /// <summary>ONNX Runtime intra-op threads.</summary>
    public int Threads { get; }

    /// <summary>The ONNX Runtime library in use.</summary>
    public string RuntimeLibrary { get; }

    /// <summary>The tokenizer read from the model folder.</summary>
    public BertWordPieceTokenizer Tokenizer => _folder.Tokenizer;

    /// <summary>Counts from the latest <see cref="Embed"/> call (all zero before the first).</summary>
    public OnnxEmbeddingStatistics Statistics { get; private set; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>The library path: the option, else <c>$KPLAB_ONNXRUNTIME</c>, else the KpLab cache; it must exist.</summary>
    internal static string ResolveRuntimeLibrary(OnnxEmbedderOptions options, PluginContext context)
    {
        var environment = Environment.GetEnvironmentVariable("KPLAB_ONNXRUNTIME");
        var (path, source) = options.RuntimeLibrary is { } configured
            ? (configured, "option runtimeLibrary")
            : !string.IsNullOrWhiteSpace(environment)
                ? (environment, "KPLAB_ONNXRUNTIME")
                : (Path.Combine(context.CacheDirectory, CachedRuntimeLibrary), "the KpLab cache");
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"onnx: the ONNX Runtime library was not found at '{path}' (from {source}). Run scripts/fetch-models to fetch onnxruntime-node@1.30.0 into the KpLab cache, or point the option runtimeLibrary or KPLAB_ONNXRUNTIME at a libonnxruntime.so.",
                path);
        return path;
    }

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
            encoded[i] = _folder.Tokenizer.Encode(texts[i], MaxLength, out var untruncated);
            if (untruncated > encoded[i].Length) truncated++;
            tokens += encoded[i].Length;
            foreach (var id in encoded[i]) if (id == unknownId) unknown++;
        }

        if (truncated > 0)
            _context.Log($"onnx: truncated {truncated} of {n} texts to {MaxLength} tokens ([CLS] and [SEP] included).");

        // Longest first, stable: batches hold texts of similar length, so little padding is fed.
        var order = Enumerable.Range(0, n).OrderByDescending(i => encoded[i].Length).ToArray();
        var batchCapacity = Math.Min(_options.BatchSize, Math.Max(n, 1));
        var width = n == 0 ? 0 : encoded[order[0]].Length;
        var inputIds = GC.AllocateArray<long>(batchCapacity * Math.Max(width, 1), pinned: true);
        var attentionMask = GC.AllocateArray<long>(inputIds.Length, pinned: true);
        var tokenTypeIds = GC.AllocateArray<long>(inputIds.Length, pinned: true); // single-segment input: all 0
        float[]? vectors = Dimension > 0 ? new float[n * Dimension] : null;
        long padding = 0;
        var batches = 0;
        progress?.Report(new EmbeddingProgress(0, n));
        for (var start = 0; start < n; start += batchCapacity)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Math.Min(batchCapacity, n - start);
            var sequence = encoded[order[start]].Length;
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
            progress?.Report(new EmbeddingProgress(start + batch, n));
        }

        Statistics = new OnnxEmbeddingStatistics(n, tokens, truncated, unknown, padding, batches);
        return EmbeddingMatrix.FromValues(n, Dimension, vectors ?? []);
    }

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

        if (_options.Normalize) VectorMath.L2Normalize(vector);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();
}
