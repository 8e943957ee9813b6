using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using KpLab.Abstractions;
using static KpLab.Hosting.Tests.TestPluginFolders;

namespace KpLab.Hosting.Tests;

public sealed class PluginUnloadTests
{
    [Fact]
    public void Disposing_the_catalog_unloads_the_plugin_context()
    {
        var unloading = new StrongBox<bool>();
        var context = LoadUseAndDispose(unloading);

        Assert.True(unloading.Value, "Dispose did not start unloading the plugin's load context");

        for (int i = 0; context.IsAlive && i < 10; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive, "the plugin's load context is still referenced after Dispose");
    }

    [Fact]
    public void A_live_catalog_keeps_its_plugin_context()
    {
        using var catalog = PluginCatalog.Load(Only(Basic));
        var context = ContextOfACreatedPlugin(catalog);

        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.True(context.IsAlive);
        Assert.Equal(4, catalog.Plugins.Count);
        Assert.Equal([0, 1], catalog.CreateClusterer("test-modulo", null, PluginContext.Default).Fit(EmbeddingMatrix.Create(2, 1, v => v.Clear())).Labels);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ContextOfACreatedPlugin(PluginCatalog catalog) =>
        new(AssemblyLoadContext.GetLoadContext(catalog.CreateClusterer("test-modulo", null, PluginContext.Default).GetType().Assembly));

    /// <summary>Everything that touches the plugin stays in this frame, so nothing on the test's stack keeps it alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadUseAndDispose(StrongBox<bool> unloading)
    {
        var catalog = PluginCatalog.Load(Only(Basic));
        var clusterer = catalog.CreateClusterer("test-modulo", new { clusters = 2 }, PluginContext.Default);
        Assert.Equal([0, 1, 0], clusterer.Fit(EmbeddingMatrix.Create(3, 1, v => v.Clear())).Labels);
        var context = AssemblyLoadContext.GetLoadContext(clusterer.GetType().Assembly)!;
        Assert.True(context.IsCollectible);
        context.Unloading += _ => unloading.Value = true;
        catalog.Dispose();
        return new WeakReference(context);
    }
}
