using KpLab.Abstractions;

namespace KpLab.TestPlugins.FutureContracts;

[KpLabPlugin(PluginKind.Metric, "test-future", Description = "Built against contracts 3.0.")]
public sealed class FutureMetric : IMetric
{
    public double Evaluate(ReadOnlySpan<int> labels) => labels.Length;
}
