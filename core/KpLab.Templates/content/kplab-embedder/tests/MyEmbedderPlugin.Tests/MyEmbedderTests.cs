using KpLab.Abstractions;
using KpLab.Kernels;
using KpLab.Testing;
using Xunit.Abstractions;

namespace MyEmbedderPlugin.Tests;

public sealed class MyEmbedderTests(ITestOutputHelper output)
{
    /// <summary>The KpLab contract: metadata, options, shapes, determinism, batch and thread invariance, cache identity.</summary>
    [Fact]
    public void ConformsToTheKpLabContract()
    {
        var report = PluginConformance.AssertConforms<MyEmbedder>();
        output.WriteLine(report.ToString());
    }

    [Fact]
    public void SimilarAnswersAreCloserThanUnrelatedOnes()
    {
        var vectors = new MyEmbedder(new MyEmbedderOptions()).Embed(
            ["The bulb lights because the circuit is closed.", "The circuit is closed so the bulb lights.", "Salt dissolves in water."]);
        Assert.True(VectorMath.Dot(vectors.Row(0), vectors.Row(1)) > VectorMath.Dot(vectors.Row(0), vectors.Row(2)) + 0.2f);
    }

    [Fact]
    public void BlankTextGetsTheZeroVector()
    {
        var vectors = new MyEmbedder(new MyEmbedderOptions { Dimension = 8 }).Embed(["  ", "abc"]);
        Assert.All(vectors.Row(0).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(1f, VectorMath.Norm(vectors.Row(1)), 5);
    }
}
