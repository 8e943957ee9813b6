using KpLab.Abstractions;
using KpLab.Testing;
using Xunit.Abstractions;

namespace MyMetricPlugin.Tests;

public sealed class MyMetricTests(ITestOutputHelper output)
{
    /// <summary>The KpLab contract: metadata, options, a named finite result, clear errors for missing parts, no mutation.</summary>
    [Fact]
    public void ConformsToTheKpLabContract()
    {
        var report = PluginConformance.AssertConforms<MyMetric>();
        output.WriteLine(report.ToString());
    }

    [Theory]
    [InlineData(true, 4.0 / 7)]   // clusters {a,a,b}: 2, {b,b,c}: 2; noise row counted: 4 of 7
    [InlineData(false, 4.0 / 6)]  // noise row left out: 4 of 6
    public void PurityByHand(bool penalizeNoise, double expected)
    {
        var input = new EvaluationInput
        {
            Predicted = new Partition([0, 0, 0, 1, 1, 1, -1]),
            Truth = new[] { "a", "a", "b", "b", "b", "c", "a" },
        };
        var result = new MyMetric(new MyMetricOptions { PenalizeNoise = penalizeNoise }).Evaluate(input);
        Assert.Equal(expected, result.Value, 12);
        Assert.Equal([0, 1], result.Records.Select(r => r.Cluster));
        Assert.Equal([2.0 / 3, 2.0 / 3], result.Records.Select(r => r.Purity));
    }
}
