using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.TestPlugins.Hostile;

public enum Mode
{
    Fast,
    Careful,
    Exhaustive,
}

/// <summary>Options whose static constructor ends the process: a host that constructs them to describe defaults dies.</summary>
public sealed record ExitingOptions : PluginOptions
{
    static ExitingOptions() => Environment.Exit(6);

    [Description("Number of clusters.")]
    public int Clusters { get; init; } = 7;

    [Description("How hard to try.")]
    public Mode Mode { get; init; } = Mode.Careful;

    [Description("A label.")]
    public string Label { get; init; } = "plain";

    [Description("An optional tolerance.")]
    public double? Tolerance { get; init; } = 0.25;

    [Description("A long count.")]
    public long Budget { get; init; } = 10;

    [Description("A flag left at its default.")]
    public bool Verbose { get; init; }

    [Description("Set by code, not a constant.")]
    public int Workers { get; init; } = Environment.ProcessorCount;

    [Description("An array default.")]
    public double[] Weights { get; init; } = [1.0, 2.0];
}

/// <summary>A static constructor that throws: creating it must name the cause.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-static-throws", Description = "Throws in its static constructor.")]
public sealed class StaticThrowsClusterer : IClusterer
{
    // An explicit static constructor runs before the first instance is created (no beforefieldinit laziness).
    static StaticThrowsClusterer() => throw new InvalidOperationException("lookup table missing");

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>A static constructor that ends the process.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-static-exit", Description = "Exits in its static constructor.")]
public sealed class StaticExitClusterer : IClusterer
{
    static StaticExitClusterer() => Environment.Exit(5);

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}

/// <summary>A constructor that ends the process, with options whose static constructor does too.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-exit-in-constructor", Description = "Exits in its constructor.")]
public sealed class ExitInConstructorClusterer : IClusterer
{
    public ExitInConstructorClusterer(ExitingOptions options) => Environment.Exit(options.Clusters == 7 ? 3 : 2);

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new([]);
}
