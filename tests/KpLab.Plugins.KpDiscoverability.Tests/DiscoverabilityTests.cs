using KpLab.Abstractions;

namespace KpLab.Plugins.KpDiscoverability.Tests;

public sealed class DiscoverabilityTests
{
    // Labels: correct ×5, partial ×3, wrong ×2. Clusters: 0 = {c,c,c,c,p}, 1 = {p,p,w}, -1 = {c, w}.
    private static readonly EvaluationInput Input = new()
    {
        Truth = new[] { "correct", "correct", "correct", "correct", "partial", "partial", "partial", "wrong", "correct", "wrong" },
        Predicted = new Partition([0, 0, 0, 0, 0, 1, 1, 1, -1, -1]),
    };

    [Fact]
    public void RowsMatchHandComputedValues()
    {
        var result = new Discoverability(new DiscoverabilityOptions()).Evaluate(Input);
        var correct = result.Rows.Single(r => r.Key == "correct");
        Assert.Equal(0, correct["cluster"]);
        Assert.Equal(4.0 / 5, correct["precision"], 15);
        Assert.Equal(4.0 / 5, correct["recall"], 15); // the noise row counts as missed
        Assert.Equal(2.0 * 4 / 10, correct["f1"], 15);
        Assert.Equal(4.0 / 6, correct["jaccard"], 15);
        Assert.Equal(1, correct["discovered"]);
        var partial = result.Rows.Single(r => r.Key == "partial");
        Assert.Equal(1, partial["cluster"]);
        Assert.Equal(2.0 * 2 / 6, partial["f1"], 15);
        Assert.Equal(1, partial["discovered"]);
        var wrong = result.Rows.Single(r => r.Key == "wrong");
        Assert.Equal(2.0 * 1 / 5, wrong["f1"], 15);
        Assert.Equal(0, wrong["discovered"]);
        Assert.Equal(2.0 / 3, result.Value, 15);
    }

    [Fact]
    public void TypedRowsCarryTheVerdictAsABoolAndAMissingClusterAsNull()
    {
        var result = new Discoverability(new DiscoverabilityOptions { Threshold = 0.7 }).Evaluate(Input);
        Assert.Equal(["correct", "partial", "wrong"], result.Records.Select(r => r.Label));
        Assert.Equal([true, false, false], result.Records.Select(r => r.Discovered));
        Assert.Equal([0, 1, 1], result.Records.Select(r => r.Cluster!.Value));
        Assert.Equal([5L, 3, 2], result.Records.Select(r => r.Size));
        // The legacy rows are derived from them.
        Assert.Equal([1.0, 0, 0], result.Rows.Select(r => r["discovered"]));
        var allNoise = new Discoverability(new DiscoverabilityOptions())
            .Evaluate(new EvaluationInput { Truth = new[] { "a", "b" }, Predicted = new Partition([-1, -1]) });
        Assert.All(allNoise.Records, r => Assert.Null(r.Cluster));
        Assert.All(allNoise.Rows, r => Assert.True(double.IsNaN(r["cluster"])));
    }

    [Fact]
    public void ACancelledTokenStopsIt()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var input = new EvaluationInput { Truth = Input.Truth, Predicted = Input.Predicted, CancellationToken = source.Token };
        Assert.ThrowsAny<OperationCanceledException>(() => new Discoverability(new DiscoverabilityOptions()).Evaluate(input));
    }

    [Fact]
    public void ThresholdAndNoiseOptionsChangeTheVerdicts()
    {
        var strict = new Discoverability(new DiscoverabilityOptions { Threshold = 0.7 }).Evaluate(Input);
        Assert.Equal(1.0 / 3, strict.Value, 15); // only 'correct' (0.8)
        var excluded = new Discoverability(new DiscoverabilityOptions { Noise = DiscoveryNoise.Exclude }).Evaluate(Input);
        var wrong = excluded.Rows.Single(r => r.Key == "wrong");
        Assert.Equal(1, wrong["size"]);
        Assert.Equal(2.0 * 1 / 4, wrong["f1"], 15);
        Assert.Equal(1, wrong["discovered"]);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        var mismatch = new EvaluationInput { Truth = new[] { "a" }, Predicted = new Partition([0, 1]) };
        Assert.Contains("'discoverability'", Assert.Throws<ArgumentException>(() => new Discoverability(new DiscoverabilityOptions()).Evaluate(mismatch)).Message);
        var empty = new EvaluationInput { Truth = Array.Empty<string>(), Predicted = new Partition([]) };
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new Discoverability(new DiscoverabilityOptions()).Evaluate(empty)).Message);
        Assert.Contains(new DiscoverabilityOptions { Threshold = 0 }.Validate(), e => e.Option == "threshold");
    }
}
