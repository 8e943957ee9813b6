using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Onnx;

/// <summary>Options of the named sentence encoders (<c>minilm</c>, <c>arctic-xs</c>): the model and its pooling,
/// normalisation and length come from the folder that scripts/fetch-models prepared; only how it runs can be set.</summary>
public sealed record SentenceEncoderOptions : PluginOptions
{
    [Description("Most texts per model run.")]
    public int BatchSize { get; init; } = 256;

    [Description("Most tokens per model run, padding included.")]
    public int TokenBudget { get; init; } = OnnxEmbedderOptions.DefaultTokenBudget;

    [Description("ONNX Runtime intra-op threads; default: the run's thread count.")]
    public int? Threads { get; init; }

    public override IEnumerable<OptionError> Validate() => ToOnnxOptions("-").Validate().Where(e => e.Option != "model");

    internal OnnxEmbedderOptions ToOnnxOptions(string folder) =>
        new() { Model = folder, BatchSize = BatchSize, TokenBudget = TokenBudget, Threads = Threads };
}

/// <summary>
/// A pre-trained sentence encoder prepared by scripts/fetch-models under &lt;cache&gt;/models/&lt;name&gt;, run by the
/// <c>onnx</c> embedder with the folder's own configuration (pooling, normalisation, max length, tokenizer).
/// </summary>
public abstract class PreparedSentenceEncoder : IEmbedder, IDisposable
{
    private readonly OnnxEmbedder _encoder;

    /// <summary>Opens &lt;cache&gt;/models/<paramref name="name"/>, which must have been verified by the fetch.</summary>
    protected PreparedSentenceEncoder(string name, SentenceEncoderOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var folder = Path.Combine(context.CacheDirectory, "models", name);
        if (!File.Exists(Path.Combine(folder, ".verified")))
            throw new DirectoryNotFoundException(
                $"{name}: the model is not prepared at '{folder}'; run scripts/setup (or scripts/fetch-models) to fetch it from NuGet.");
        _encoder = new OnnxEmbedder(options.ToOnnxOptions(folder), context);
        Identity = $"{name}/{_encoder.Identity}";
    }

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public int Dimension => _encoder.Dimension;

    /// <summary>Counts from the latest <see cref="Embed"/> call.</summary>
    public OnnxEmbeddingStatistics Statistics => _encoder.Statistics;

    /// <inheritdoc />
    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default) => _encoder.Embed(texts, progress, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _encoder.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>all-MiniLM-L6-v2 (sentence-transformers; BERTopic's default encoder): 384-d, mean pooling, L2, 256 tokens.</summary>
[KpLabPlugin(PluginKind.Embedder, "minilm", Description = "all-MiniLM-L6-v2 sentence vectors (384-d; mean pooling, L2-normalised, 256 tokens) on ONNX Runtime; fetched by scripts/setup.")]
public sealed class MiniLmEmbedder(SentenceEncoderOptions options, PluginContext context)
    : PreparedSentenceEncoder("minilm", options, context);

/// <summary>Snowflake's arctic-embed-xs: 384-d, [CLS] pooling, L2, 512 tokens.</summary>
[KpLabPlugin(PluginKind.Embedder, "arctic-xs", Description = "snowflake-arctic-embed-xs sentence vectors (384-d; [CLS] pooling, L2-normalised, 512 tokens) on ONNX Runtime; fetched by scripts/setup.")]
public sealed class ArcticXsEmbedder(SentenceEncoderOptions options, PluginContext context)
    : PreparedSentenceEncoder("arctic-xs", options, context);
