using KpLab.Abstractions;

namespace KpLab.TestPlugins.Faulty;

/// <summary>Loads fine; fails when created.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-throws", Description = "Throws in its constructor.")]
public sealed class ThrowingClusterer : IClusterer
{
    public ThrowingClusterer(PluginContext context) =>
        throw new InvalidOperationException($"model files missing under {context.CacheDirectory}");

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>Declared a metric but is a clusterer.</summary>
[KpLabPlugin(PluginKind.Metric, "test-wrong-kind")]
public sealed class WrongKindPlugin : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>Two public constructors: the host cannot tell which to call.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-two-constructors")]
public sealed class TwoConstructorsClusterer : IClusterer
{
    public TwoConstructorsClusterer() { }

    public TwoConstructorsClusterer(PluginContext context) => _ = context;

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>A constructor parameter the host cannot supply.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-bad-parameter")]
public sealed class BadParameterClusterer(string modelPath) : IClusterer
{
    public string ModelPath { get; } = modelPath;

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>A name outside the documented lower-case/digits/hyphens form.</summary>
[KpLabPlugin(PluginKind.Clusterer, "Test_Bad_Name")]
public sealed class BadNameClusterer : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>The one good plugin in this assembly.</summary>
[KpLabPlugin(PluginKind.Metric, "test-survivor", Description = "Always 1.")]
public sealed class SurvivorMetric : IMetric
{
    public MetricResult Evaluate(EvaluationInput input) => new("test-survivor", 1);
}
