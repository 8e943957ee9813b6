using System.ComponentModel;
using System.Runtime.CompilerServices;
using KpLab.Abstractions;

namespace KpLab.TestPlugins.ExitingModule;

internal static class Module
{
#pragma warning disable CA2255 // A module initializer in a library is exactly the hostile behaviour under test.
    [ModuleInitializer]
    internal static void Exit() => Environment.Exit(4);
#pragma warning restore CA2255
}

public sealed record ExitOnLoadOptions : PluginOptions
{
    [Description("Neighbours per point.")]
    public int Neighbours { get; init; } = 15;
}

/// <summary>A row type whose static constructor ends the process too: listing its columns must not touch it.</summary>
public sealed record ExitOnLoadRow(
    [property: MetricKey] string Label, [property: MetricKey] int Cluster, long Count, double? Share, bool Found, float Weight)
{
    static ExitOnLoadRow() => Environment.Exit(7);
}

[KpLabPlugin(PluginKind.Metric, "test-exit-on-load", Description = "Its module initializer ends the process.")]
public sealed class ExitOnLoadMetric(ExitOnLoadOptions options) : IMetric<ExitOnLoadRow>
{
    public MetricResult<ExitOnLoadRow> Evaluate(EvaluationInput input) => new("test-exit-on-load", options.Neighbours, []);
}
