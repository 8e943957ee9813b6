using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Onnx;

/// <summary>How token states become one sentence vector.</summary>
public enum Pooling
{
    /// <summary>As the model folder's 1_Pooling/config.json says (mean without one).</summary>
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
    [Description("Model folder: model.onnx plus tokenizer.json or vocab.txt (sentence-transformers layout). Required.")]
    public string Model { get; init; } = "";

    [Description("Pooling: mean | cls | max | auto (from 1_Pooling/config.json, mean without one).")]
    public Pooling Pooling { get; init; } = Pooling.Auto;

    [Description("Scale each sentence vector to unit length.")]
    public bool Normalize { get; init; } = true;

    [Description("Most tokens per text, [CLS] and [SEP] included; longer texts are truncated and counted. Default: sentence_bert_config.json, else tokenizer/model config, else 512.")]
    public int? MaxLength { get; init; }

    [Description("Texts per model run (texts are sorted by length first to cut padding).")]
    public int BatchSize { get; init; } = 32;

    [Description("ONNX Runtime intra-op threads; default: the run's thread count.")]
    public int? Threads { get; init; }

    [Description("Path of libonnxruntime.so; default: $KPLAB_ONNXRUNTIME, else the onnxruntime-node package in the KpLab cache (scripts/fetch-models).")]
    public string? RuntimeLibrary { get; init; }

    [Description("Model output to pool ([batch, sequence, hidden]); default: the first output.")]
    public string? OutputName { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) yield return new OptionError("model", "is required: the folder holding model.onnx");
        if (MaxLength is < 2) yield return new OptionError("maxLength", $"must be at least 2 ([CLS] and [SEP]), got {MaxLength}");
        if (BatchSize < 1) yield return new OptionError("batchSize", $"must be at least 1, got {BatchSize}");
        if (Threads is < 1) yield return new OptionError("threads", $"must be at least 1, got {Threads}");
        if (RuntimeLibrary is { } library && string.IsNullOrWhiteSpace(library))
            yield return new OptionError("runtimeLibrary", "must be a path when given");
        if (OutputName is { } output && string.IsNullOrWhiteSpace(output))
            yield return new OptionError("outputName", "must be an output name when given");
    }
}
