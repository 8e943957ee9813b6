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
    /// <summary>The token budget per model run unless set. On all 11,441 SemEval answers with all-MiniLM-L6-v2 and one
    /// thread (scripts/bench-onnx, alternately in one run, identical vectors): 2.5-2.7x the sentences/s of fixed batches
    /// of 32 texts in input order, but only 1.03-1.07x those of length-sorted fixed batches of 32 (the default before
    /// token budgets, which already pad little: 2,689 padding tokens against 973 here), 1.16x on the first 1,500; 256
    /// was no better on all answers (1.01-1.05x), 512 was the best of 96-2048 on a quiet machine. Attention's quadratic
    /// cost is a few percent at these lengths, so a cost model beyond counting padded tokens would not change batches.</summary>
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
