using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.TestPlugins.Basic;

public sealed record ModuloOptions : PluginOptions
{
    [Description("Number of clusters.")]
    public int Clusters { get; init; } = 2;

    [Description("Offset added to each row index before taking the remainder.")]
    public int Offset { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        if (Clusters < 1) yield return new OptionError("clusters", $"must be at least 1, got {Clusters}.");
    }
}

/// <summary>Assigns row i to cluster (i + offset) mod clusters: an options record and a context.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-modulo", Description = "Row index modulo the cluster count.")]
public sealed class ModuloClusterer(ModuloOptions options, PluginContext context) : IClusterer
{
    public ModuloOptions Options { get; } = options;

    public PluginContext Context { get; } = context;

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
        new(Enumerable.Range(0, data.Rows).Select(i => (i + Options.Offset) % Options.Clusters).ToArray());
}
