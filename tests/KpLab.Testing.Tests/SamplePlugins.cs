using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Testing.Tests;

// Small plugins that follow the contracts, and variants that each break one rule, so every check is seen to fail.

public sealed record HashOptions : PluginOptions
{
    [Description("Vector length.")] public int Dimension { get; init; } = 16;
    [Description("Fold case before hashing.")] public bool Lowercase { get; init; } = true;
    [Description("Texts per batch (does not change the vectors).")] public int BatchSize { get; init; } = 4;

    public override IEnumerable<OptionError> Validate()
    {
        if (Dimension < 1) yield return new OptionError("dimension", $"must be at least 1, got {Dimension}.");
        if (BatchSize < 1) yield return new OptionError("batchSize", $"must be at least 1, got {BatchSize}.");
    }
}

/// <summary>Characters hashed into buckets, unit length: deterministic, batch-free, thread-safe.</summary>
[KpLabPlugin(PluginKind.Embedder, "test-hash", Description = "Character hashing embedder for the kit's own tests.")]
public class HashEmbedder(HashOptions options) : IEmbedder
{
    protected HashOptions Options { get; } = options;

    public virtual string Identity => $"test-hash/d{Options.Dimension}/{(Options.Lowercase ? "lower" : "cased")}";

    public int Dimension => Options.Dimension;

    public virtual EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        EmbeddingMatrix.Create(texts.Count, Options.Dimension, values =>
        {
            for (int start = 0; start < texts.Count; start += Options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int end = Math.Min(texts.Count, start + Options.BatchSize);
                for (int i = start; i < end; i++) Vector(texts[i], values.Slice(i * Options.Dimension, Options.Dimension));
                progress?.Report(new EmbeddingProgress(end, texts.Count));
            }
        });

    protected void Vector(string? text, Span<float> row)
    {
        var source = (Options.Lowercase ? text?.ToLowerInvariant() : text)?.Trim() ?? "";
        foreach (var ch in source) row[(int)((ch * 2654435761u) >> 8) % Options.Dimension] += 1;
        VectorMath.L2Normalize(row);
    }
}

[KpLabPlugin(PluginKind.Embedder, "test-stale-identity", Description = "Leaves an output-changing option out of Identity.")]
public sealed class StaleIdentityEmbedder(HashOptions options) : HashEmbedder(options)
{
    public override string Identity => "test-hash";
}

[KpLabPlugin(PluginKind.Embedder, "test-chatty-identity", Description = "Puts the batch size into Identity.")]
public sealed class ChattyIdentityEmbedder(HashOptions options) : HashEmbedder(options)
{
    public override string Identity => base.Identity + $"/b{Options.BatchSize}";
}

[KpLabPlugin(PluginKind.Embedder, "test-batch-dependent", Description = "Centres each batch, so vectors depend on the batch.")]
public sealed class BatchDependentEmbedder(HashOptions options) : HashEmbedder(options)
{
    public override EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var plain = base.Embed(texts, progress, cancellationToken);
        var means = new float[plain.Columns];
        if (plain.Rows > 0) MatrixRows.ColumnMeans(plain.Values, plain.Columns, means);
        return EmbeddingMatrix.Create(plain.Rows, plain.Columns, values =>
        {
            plain.Values.CopyTo(values);
            for (int i = 0; i < plain.Rows; i++) VectorMath.Axpy(-1f, means, values.Slice(i * plain.Columns, plain.Columns));
        });
    }
}

[KpLabPlugin(PluginKind.Embedder, "test-unsafe", Description = "Shares one scratch row between calls, so threads collide.")]
public sealed class ThreadUnsafeEmbedder(HashOptions options) : HashEmbedder(options)
{
    private readonly float[] scratch = new float[options.Dimension];

    public override EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        EmbeddingMatrix.Create(texts.Count, Options.Dimension, values =>
        {
            for (int i = 0; i < texts.Count; i++)
            {
                Array.Clear(scratch);
                Thread.Yield();
                Vector(texts[i], scratch);
                Thread.SpinWait(2000);
                scratch.CopyTo(values.Slice(i * Options.Dimension, Options.Dimension));
            }
        });
}

[KpLabPlugin(PluginKind.Embedder, "test-drifting", Description = "Adds a call counter to every vector.")]
public sealed class DriftingEmbedder(HashOptions options) : HashEmbedder(options)
{
    private int calls;

    public override EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var plain = base.Embed(texts, progress, cancellationToken);
        var shift = Interlocked.Increment(ref calls) * 1e-3f;
        return EmbeddingMatrix.Create(plain.Rows, plain.Columns, values =>
        {
            plain.Values.CopyTo(values);
            for (int i = 0; i < values.Length; i++) values[i] += shift;
        });
    }
}

public sealed record UndocumentedOptions : PluginOptions
{
    [Description("Documented.")] public int Documented { get; init; } = 1;
    public int Undocumented { get; init; } = 2;
}

[KpLabPlugin(PluginKind.Metric, "Bad_Name")]
public sealed class BadMetadataMetric(UndocumentedOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input) => new("Bad_Name", options.Documented);
}

public sealed record ThresholdOptions : PluginOptions
{
    [Description("Rows whose first coordinate is above this go to cluster 1.")] public double Threshold { get; init; }
    [Description("Buckets for the second coordinate (no validation: 0 divides by zero).")] public int Buckets { get; init; } = 2;
}

/// <summary>Splits on the first coordinate: deterministic and seed-free.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-threshold", Description = "Splits rows on their first coordinate.")]
public sealed class ThresholdClusterer(ThresholdOptions options) : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        data.ThrowIfNonFinite("test-threshold");
        return new Partition(Enumerable.Range(0, data.Rows).Select(i => data[i, 0] > options.Threshold ? 1 : 0).ToArray());
    }
}

[KpLabPlugin(PluginKind.Clusterer, "test-careless", Description = "Uses the shared random generator, crashes on empty data, ignores NaN and trusts its options.")]
public sealed class CarelessClusterer(ThresholdOptions options) : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        var first = data.ToArray()[0]; // IndexOutOfRange on zero rows
        var width = 10 / options.Buckets; // DivideByZero when buckets = 0 slips through Validate
        return new Partition(Enumerable.Range(0, data.Rows).Select(_ => Random.Shared.Next(width > 0 ? 3 : 2) + (first > 1e9 ? 1 : 0)).ToArray());
    }
}

/// <summary>Share of rows whose cluster holds the majority of their expert label; needs Predicted and Truth.</summary>
[KpLabPlugin(PluginKind.Metric, "test-agreement", Description = "Share of rows in a non-noise cluster.")]
public sealed class AgreementMetric : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var predicted = input.RequirePredicted("test-agreement");
        input.RequireTruth("test-agreement");
        int n = input.RequireSameLength("test-agreement");
        return new MetricResult("test-agreement", n == 0 ? double.NaN : predicted.Labels.Count(l => l >= 0) / (double)n);
    }
}

[KpLabPlugin(PluginKind.Metric, "test-sloppy", Description = "Names its result wrongly, dereferences missing parts and sorts the labels in place.")]
public sealed class SloppyMetric : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var labels = input.Predicted!.Labels;
        Array.Sort(labels);
        return new MetricResult("sloppy", labels.Count(l => l >= 0) / (double)input.Truth!.Count);
    }
}

[KpLabPlugin(PluginKind.Metric, "test-legacy-rows", Description = "Returns string-keyed rows and throws the wrong exception when cancelled.")]
public sealed class LegacyRowsMetric : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var predicted = input.RequirePredicted("test-legacy-rows");
        input.RequireSameLength("test-legacy-rows");
        if (input.CancellationToken.IsCancellationRequested) throw new InvalidOperationException("stopped");
        return new MetricResult("test-legacy-rows", predicted.ClusterCount)
        {
            Rows = predicted.Labels.Distinct().Order()
                .Select(l => new MetricRow($"{l}", new Dictionary<string, double> { ["size"] = predicted.Labels.Count(x => x == l) })).ToArray(),
        };
    }
}
