using KpLab.Abstractions;

namespace KpLab.TestPlugins.FutureContracts;

[KpLabPlugin(PluginKind.Metric, "test-future", Description = "Built against the next contracts minor.")]
public sealed class FutureMetric : IMetric
{
    public double Evaluate(ReadOnlySpan<int> labels) => labels.Length;
}
