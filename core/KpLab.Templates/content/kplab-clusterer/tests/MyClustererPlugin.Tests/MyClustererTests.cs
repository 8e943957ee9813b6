using KpLab.Abstractions;
using KpLab.Testing;
using Xunit.Abstractions;

namespace MyClustererPlugin.Tests;

public sealed class MyClustererTests(ITestOutputHelper output)
{
    /// <summary>The KpLab contract: metadata, options, label shape, determinism with a seed and across threads, edge inputs.</summary>
    [Fact]
    public void ConformsToTheKpLabContract()
    {
        var report = PluginConformance.AssertConforms<MyClusterer>();
        output.WriteLine(report.ToString());
    }

    [Fact]
    public void SeparatesWellSeparatedBlobs()
    {
        var partition = new MyClusterer(new MyClustererOptions { K = 3 }, new PluginContext(new RandomSource(1)))
            .Fit(SyntheticData.Blobs(clusters: 3, perCluster: 20));
        var blobs = SyntheticData.BlobLabels(clusters: 3, perCluster: 20);
        // Each blob lands in exactly one cluster, and the three clusters differ.
        var clusterOfBlob = Enumerable.Range(0, 3)
            .Select(b => Enumerable.Range(0, blobs.Length).Where(i => blobs[i] == b).Select(i => partition.Labels[i]).Distinct().Single())
            .ToArray();
        Assert.Equal(3, clusterOfBlob.Distinct().Count());
    }
}
