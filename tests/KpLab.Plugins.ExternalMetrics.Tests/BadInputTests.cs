using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics.Tests;

public sealed class BadInputTests
{
    private static readonly ExternalMetricOptions Defaults = new();

    [Fact]
    public void LengthMismatchNamesMetricAndLengths()
    {
        var input = new EvaluationInput { Predicted = new Partition([0, 1, 1]), Truth = new[] { "a", "b" } };
        var error = Assert.Throws<ArgumentException>(() => new AdjustedRandIndex(Defaults).Evaluate(input));
        Assert.Contains("'ari'", error.Message);
        Assert.Contains("3", error.Message);
        Assert.Contains("2", error.Message);
    }

    [Fact]
    public void EmptyInputIsRejected()
    {
        var input = new EvaluationInput { Predicted = new Partition([]), Truth = Array.Empty<string>() };
        var error = Assert.Throws<ArgumentException>(() => new NormalizedMutualInformation(new MutualInformationOptions()).Evaluate(input));
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void MissingTruthIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => new MatchedF1(Defaults).Evaluate(new EvaluationInput { Predicted = new Partition([0]) }));
        Assert.Contains("expert labels", error.Message);
    }

    [Fact]
    public void AllNoiseExcludedIsRejected()
    {
        var input = new EvaluationInput { Predicted = new Partition([-1, -1]), Truth = new[] { 0, 1 } };
        var error = Assert.Throws<ArgumentException>(() => new Purity(new ExternalMetricOptions { Noise = NoiseHandling.Exclude }).Evaluate(input));
        Assert.Contains("noise", error.Message);
    }

    [Fact]
    public void NonPositiveBetaFailsValidation()
    {
        Assert.Contains(new VMeasureOptions { Beta = 0 }.Validate(), e => e.Option == "beta");
        Assert.Empty(new VMeasureOptions { Beta = 2 }.Validate());
    }

    [Fact]
    public void NoiseExclusionDropsNoiseRowsOnly()
    {
        // With the noise rows dropped the partition matches the labels exactly.
        var input = new EvaluationInput { Predicted = new Partition([0, 0, -1, 1, 1, -1]), Truth = new[] { "x", "x", "y", "y", "y", "x" } };
        Assert.Equal(1.0, new AdjustedRandIndex(new ExternalMetricOptions { Noise = NoiseHandling.Exclude }).Evaluate(input).Value);
        Assert.True(new AdjustedRandIndex(Defaults).Evaluate(input).Value < 1.0);
    }

    [Fact]
    public void MatchedF1LeavesSurplusLabelUnmatched()
    {
        // Three labels, two clusters: the smallest label gets no cluster and F1 0.
        var input = new EvaluationInput { Predicted = new Partition([0, 0, 0, 1, 1, 1]), Truth = new[] { "a", "a", "a", "b", "b", "c" } };
        var result = new MatchedF1(Defaults).Evaluate(input);
        var c = result.Rows.Single(r => r.Key == "c");
        Assert.Equal(0.0, c["f1"]);
        Assert.True(double.IsNaN(c["cluster"]));
        Assert.Null(result.Records.Single(r => r.Label == "c").Cluster); // typed: no cluster rather than NaN
        Assert.Equal([0, 1], result.Records.Where(r => r.Label != "c").Select(r => r.Cluster!.Value));
        Assert.Equal(0.5 * 1.0 + 2.0 / 6 * (2.0 * 2 / 5), result.Value, 12);
    }
}
