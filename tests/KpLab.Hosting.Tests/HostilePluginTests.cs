using System.Runtime.Loader;
using KpLab.Abstractions;
using static KpLab.Hosting.Tests.TestPluginFolders;

namespace KpLab.Hosting.Tests;

/// <summary>
/// Plugins whose module initializer, static constructor, options record or constructor throws or calls
/// Environment.Exit. Listing and describing them runs none of that code: had it run, this test process would have
/// exited (codes 3 to 6) or the listing would have failed.
/// </summary>
public sealed class HostilePluginTests
{
    [Fact]
    public void Listing_and_describing_hostile_plugins_runs_none_of_their_code()
    {
        using var catalog = PluginCatalog.Load(Only(Hostile, ExitingModule, ThrowingModule));

        Assert.Empty(catalog.Errors);
        Assert.Equal(
            ["test-throw-on-load", "test-exit-in-constructor", "test-static-exit", "test-static-throws", "test-exit-on-load"],
            catalog.Plugins.Select(p => p.Name));
        Assert.Equal(
            [new OptionDescriptor("clusters", "int", "7", "Number of clusters."),
             new OptionDescriptor("mode", "Mode (fast|careful|exhaustive)", "careful", "How hard to try."),
             new OptionDescriptor("label", "string", "\"plain\"", "A label."),
             new OptionDescriptor("tolerance", "double?", "0.25", "An optional tolerance."),
             new OptionDescriptor("budget", "long", "10", "A long count."),
             new OptionDescriptor("verbose", "bool", "false", "A flag left at its default."),
             new OptionDescriptor("workers", "int", OptionsBinder.ComputedDefault, "Set by code, not a constant."),
             new OptionDescriptor("weights", "double[]", OptionsBinder.ComputedDefault, "An array default.")],
            catalog.Find(PluginKind.Clusterer, "test-exit-in-constructor").Options);
        Assert.Equal([new OptionDescriptor("neighbours", "int", "15", "Neighbours per point.")],
            catalog.Find(PluginKind.Metric, "test-exit-on-load").Options);
        Assert.Equal("Its module initializer ends the process.", catalog.Find(PluginKind.Metric, "test-exit-on-load").Description);
        // The metric's output columns come from its row record's metadata (whose static constructor would exit with 7).
        Assert.Equal(
            [new MetricColumn("label", "string", IsKey: true), new MetricColumn("cluster", "int", IsKey: true),
             new MetricColumn("count", "long", false), new MetricColumn("share", "double?", false),
             new MetricColumn("found", "bool", false), new MetricColumn("weight", "float", false)],
            catalog.Find(PluginKind.Metric, "test-exit-on-load").OutputColumns);
        Assert.Empty(catalog.Find(PluginKind.Clusterer, "test-exit-in-constructor").OutputColumns);
        // Nothing was even loaded for execution: the assemblies were only read as metadata.
        Assert.DoesNotContain(AssemblyLoadContext.All.SelectMany(c => c.Assemblies),
            a => a.GetName().Name is Hostile or ExitingModule or ThrowingModule);
    }

    [Fact]
    public void A_throwing_static_constructor_is_reported_with_its_inner_cause()
    {
        using var catalog = PluginCatalog.Load(Only(Hostile));

        var e = Assert.Throws<PluginCreationException>(() => catalog.CreateClusterer("test-static-throws", null, PluginContext.Default));

        Assert.Contains("clusterer plugin 'test-static-throws'", e.Message);
        Assert.Contains(Assembly(Hostile), e.Message);
        Assert.Contains("TypeInitializationException", e.Message);
        Assert.Contains("Caused by InvalidOperationException: lookup table missing", e.Message);
        Assert.IsType<TypeInitializationException>(e.InnerException);
    }

    [Fact]
    public void A_throwing_module_initializer_is_reported_when_the_plugin_is_created_with_its_cause()
    {
        using var catalog = PluginCatalog.Load(Only(ThrowingModule, Basic));

        var e = Assert.Throws<PluginCreationException>(() => catalog.CreateEmbedder("test-throw-on-load", null, PluginContext.Default));

        Assert.Contains("embedder plugin 'test-throw-on-load'", e.Message);
        Assert.Contains("Caused by FileNotFoundException: licence.key not found beside the plugin", e.Message);
        Assert.Equal([0, 1, 0], catalog.CreateClusterer("test-modulo", null, PluginContext.Default)
            .Fit(EmbeddingMatrix.Create(3, 1, v => v.Clear())).Labels);
    }
}
