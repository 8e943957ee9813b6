using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Onnx;

/// <summary>How token states become one sentence vector.</summary>
public enum Pooling
{
    /// <summary>As the model folder's 1_Pooling/config.json says; a folder without one is refused.</summary>
    Auto,

    /// <summary>Mean of the token states under the attention mask ([CLS] and [SEP] included).</summary>
    Mean,

    /// <summary>The [CLS] token's state.</summary>
    Cls,

    /// <summary>Element-wise maximum over the unmasked tokens.</summary>
    Max,
}

/// <summary>Options of the <c>onnx</c> embedder.</summary>
public sealed record OnnxEmbedderOptions : PluginOptions
{
    /// <summary>The token budget per model run unless set. On SemEval answers with all-MiniLM-L6-v2 and one thread on a
    /// quiet machine (scripts/bench-onnx, same run) 512 was the best of 96-2048: 1.03x the sentences/s of length-sorted
    /// fixed batches of 32 on all 11,441 answers, 1.09-1.17x on the first 1,500; the gain is small there because the
    /// texts were already sorted by length, and larger where lengths vary within a batch.</summary>
    public const int DefaultTokenBudget = 512;

    [Description("Model folder: model.onnx plus tokenizer.json or vocab.txt (sentence-transformers layout). Required.")]
    public string Model { get; init; } = "";

    [Description("Pooling: mean | cls | max | auto (from 1_Pooling/config.json; a folder without one must name mean, cls or max).")]
    public Pooling Pooling { get; init; } = Pooling.Auto;

    [Description("Scale each sentence vector to unit length; default: as modules.json says (a Normalize module), else true.")]
    public bool? Normalize { get; init; }

    [Description("Most tokens per text, [CLS] and [SEP] included; longer texts are truncated and counted. Default: sentence_bert_config.json, else tokenizer/model config, else 512.")]
    public int? MaxLength { get; init; }

    [Description("Most texts per model run (texts are sorted by length first to cut padding).")]
    public int BatchSize { get; init; } = 256;

    [Description("Most tokens per model run, padding included: a batch of texts padded to its longest stays within it (a single longer text runs alone).")]
    public int TokenBudget { get; init; } = DefaultTokenBudget;

    [Description("ONNX Runtime intra-op threads; default: the run's thread count.")]
    public int? Threads { get; init; }

    [Description("Model output to pool ([batch, sequence, hidden]); default: the first output.")]
    public string? OutputName { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) yield return new OptionError("model", "is required: the folder holding model.onnx");
        if (MaxLength is < 2) yield return new OptionError("maxLength", $"must be at least 2 ([CLS] and [SEP]), got {MaxLength}");
        if (BatchSize < 1) yield return new OptionError("batchSize", $"must be at least 1, got {BatchSize}");
        if (Threads is < 1) yield return new OptionError("threads", $"must be at least 1, got {Threads}");
        if (TokenBudget < 2) yield return new OptionError("tokenBudget", $"must be at least 2, got {TokenBudget}");
        if (OutputName is { } output && string.IsNullOrWhiteSpace(output))
            yield return new OptionError("outputName", "must be an output name when given");
    }
}
