using KpLab.Abstractions;
using KpLab.Testing;
using Xunit.Abstractions;

namespace MyReducerPlugin.Tests;

public sealed class MyReducerTests(ITestOutputHelper output)
{
    /// <summary>The KpLab contract: metadata, options, embedding and transform shapes, determinism with a seed, bad input.</summary>
    [Fact]
    public void ConformsToTheKpLabContract()
    {
        var report = PluginConformance.AssertConforms<MyReducer>();
        output.WriteLine(report.ToString());
    }

    [Fact]
    public void TransformingTheFittedRowsGivesTheirEmbedding()
    {
        var data = SyntheticData.Blobs(clusters: 3, perCluster: 20);
        var model = new MyReducer(new MyReducerOptions { Components = 3 }, new PluginContext(new RandomSource(1))).Fit(data);
        Assert.Equal((data.Rows, 3), (model.Embedding.Rows, model.Embedding.Columns));
        Assert.Equal(model.Embedding.ToArray(), model.Transform(data).ToArray());
    }
}
