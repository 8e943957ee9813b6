using KpLab.Abstractions;

namespace KpLab.TestPlugins.Basic;

/// <summary>How many rows carry one predicted label.</summary>
public sealed record LabelCountRow([property: MetricKey] int Label, int Count, bool Noise);

/// <summary>Counts the predicted labels: a context, no options and typed rows.</summary>
[KpLabPlugin(PluginKind.Metric, "test-count", Description = "Number of predicted labels.")]
public sealed class RowCountMetric(PluginContext context) : IMetric<LabelCountRow>
{
    public PluginContext Context { get; } = context;

    public MetricResult<LabelCountRow> Evaluate(EvaluationInput input)
    {
        var labels = input.RequirePredicted("test-count").Labels;
        return new("test-count", labels.Length,
            labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => new LabelCountRow(g.Key, g.Count(), g.Key == -1)));
    }
}
