using System.Diagnostics;
using KpLab.Abstractions;
using Xunit.Abstractions;

namespace KpLab.Plugins.Glove.Tests;

/// <summary>Runs against the fetched package (scripts/setup fetches it; the test fails without it).</summary>
public sealed class RealModelTests(ITestOutputHelper output)
{
    [Fact]
    public void ConvertsAndLoadsWinkSg100d()
    {
        var logs = new List<string>();
        var context = new PluginContext(new RandomSource(0)) { Log = logs.Add };
        var watch = Stopwatch.StartNew();
        var embedder = new GloveEmbedder(new GloveOptions(), context);
        var store = embedder.Store;
        output.WriteLine($"first load (with conversion if needed): {watch.Elapsed.TotalMilliseconds:F0} ms");
        watch.Restart();
        var again = WordVectorStore.Read(embedder.BinaryPath);
        output.WriteLine($"binary load: {watch.Elapsed.TotalMilliseconds:F0} ms; {new FileInfo(embedder.BinaryPath).Length} bytes");
        foreach (var l in logs) output.WriteLine(l);

        Assert.Equal((341479, 100), (store.Count, store.Dimension));
        Assert.Equal(again.Count, store.Count);
        Assert.Equal(0, store.IndexOf("the"));
        Assert.Equal(38202, store.IndexOf("photosynthesis"));
        Assert.Equal([-0.038194f, -0.24487f, 0.72812f], store.Vector(0)[..3].ToArray());
        Assert.Equal([-0.69611f, 0.074567f, -0.44188f], store.Vector(38202)[..3].ToArray());
        Assert.Contains("sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==", embedder.Identity);

        // Three texts are too few for first-component removal; the plain mean shows the semantics.
        var mean = new GloveEmbedder(new GloveOptions { Pooling = GlovePooling.Mean, RemoveFirstComponent = false }, context);
        var m = mean.Embed(["Plants make glucose from light energy.", "Photosynthesis turns sunlight into sugar.", "The bulb is in a closed circuit."]);
        Assert.Equal((3, 100), (m.Rows, m.Columns));
        Assert.Equal(100, mean.Dimension);
        Assert.Equal("a", Assert.Single(mean.LastStatistics!.MostFrequentUnknown).Key); // the vocabulary has no single letters
        Assert.True(KpLab.Kernels.VectorMath.Cosine(m.Row(0), m.Row(1)) > KpLab.Kernels.VectorMath.Cosine(m.Row(0), m.Row(2)));
    }
}
