using KpLab.Abstractions;

namespace KpLab.TestPlugins.Basic;

/// <summary>Counts the predicted labels: a context and no options.</summary>
[KpLabPlugin(PluginKind.Metric, "test-count", Description = "Number of predicted labels.")]
public sealed class RowCountMetric(PluginContext context) : IMetric
{
    public PluginContext Context { get; } = context;

    public MetricResult Evaluate(EvaluationInput input) =>
        new("test-count", input.RequirePredicted("test-count").Count);
}
