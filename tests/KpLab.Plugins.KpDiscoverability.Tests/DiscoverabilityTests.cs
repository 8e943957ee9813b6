using KpLab.Abstractions;
using KpLab.Plugins.KpGeometry.Permutations;

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
        var result = new Discoverability(new DiscoverabilityOptions(), PluginContext.Default).Evaluate(Input);
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
        var result = new Discoverability(new DiscoverabilityOptions { Threshold = 0.7 }, PluginContext.Default).Evaluate(Input);
        Assert.Equal(["correct", "partial", "wrong"], result.Records.Select(r => r.Label));
        Assert.Equal([true, false, false], result.Records.Select(r => r.Discovered));
        Assert.Equal([0, 1, 1], result.Records.Select(r => r.Cluster!.Value));
        Assert.Equal([5L, 3, 2], result.Records.Select(r => r.Size));
        // The legacy rows are derived from them.
        Assert.Equal([1.0, 0, 0], result.Rows.Select(r => r["discovered"]));
        var allNoise = new Discoverability(new DiscoverabilityOptions(), PluginContext.Default)
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
        Assert.ThrowsAny<OperationCanceledException>(() => new Discoverability(new DiscoverabilityOptions(), PluginContext.Default).Evaluate(input));
    }

    [Fact]
    public void ThresholdAndNoiseOptionsChangeTheVerdicts()
    {
        var strict = new Discoverability(new DiscoverabilityOptions { Threshold = 0.7 }, PluginContext.Default).Evaluate(Input);
        Assert.Equal(1.0 / 3, strict.Value, 15); // only 'correct' (0.8)
        var excluded = new Discoverability(new DiscoverabilityOptions { Noise = DiscoveryNoise.Exclude }, PluginContext.Default).Evaluate(Input);
        var wrong = excluded.Rows.Single(r => r.Key == "wrong");
        Assert.Equal(1, wrong["size"]);
        Assert.Equal(2.0 * 1 / 4, wrong["f1"], 15);
        Assert.Equal(1, wrong["discovered"]);
    }

    [Fact]
    public void PermutationNullMatchesHandComputedValues()
    {
        // Permutations of all ten rows (noise 'unmatched'): the identity; the reversal, labels w,c,w,p,p | p,c,c | c,c, so
        // correct's best F1 is 2·2/(5+3) = 0.5, partial's 2·2/(3+5) = 0.5, wrong's 2·2/(2+5) = 4/7; and swapping rows 0
        // and 7, labels w,c,c,c,p | p,p,c | c,w: correct 2·3/10 = 0.6, partial 2·2/6 = 2/3, wrong 2·1/7 = 2/7.
        int[][] permutations = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [7, 1, 2, 3, 4, 5, 6, 0, 8, 9]];
        var result = new Discoverability(new DiscoverabilityOptions { Alpha = 0.6 }, PluginContext.Default).Evaluate(Input, permutations);
        var correct = result.Records.Single(r => r.Label == "correct");
        Assert.Equal(19.0 / 30, correct.F1NullMean, 14);             // (0.8 + 0.5 + 0.6) / 3
        Assert.Equal(Math.Sqrt(7.0 / 300), correct.F1NullSd, 14);
        Assert.Equal(0.5, correct.F1PValue);                          // (1 + 1) / (1 + 3): only the identity reaches 0.8
        Assert.Equal(0.8 - 19.0 / 30, correct.F1Excess, 14);
        Assert.True(correct.DiscoveredAdjusted);                      // F1 0.8 ≥ 0.5 and p 0.5 < alpha 0.6
        var partial = result.Records.Single(r => r.Label == "partial");
        Assert.Equal(11.0 / 18, partial.F1NullMean, 14);
        Assert.Equal(0.75, partial.F1PValue);                         // 2/3 reached twice (a tie counts)
        Assert.True(partial.Discovered);
        Assert.False(partial.DiscoveredAdjusted);                     // raw yes, size-adjusted no
        var wrong = result.Records.Single(r => r.Label == "wrong");
        Assert.Equal(44.0 / 105, wrong.F1NullMean, 14);
        Assert.Equal(0.75, wrong.F1PValue);
        Assert.Equal(0.4 - 44.0 / 105, wrong.F1Excess, 14);
        Assert.False(wrong.DiscoveredAdjusted);
        Assert.Equal(1, result.Components["discoveredAdjusted"]);
        Assert.Equal(2.0 / 3, result.Value, 15);                      // the value stays the raw share
        // Legacy rows and long-form cells carry the new statistics.
        Assert.Equal(0.5, result.Rows.Single(r => r.Key == "correct")["f1PValue"]);
        Assert.Contains(new MetricCell("partial", "discoveredAdjusted", 0), result.Cells);
    }

    [Fact]
    public void UnderExcludeOnlyTheScoredRowsArePermuted()
    {
        var exclude = new Discoverability(new DiscoverabilityOptions { Noise = DiscoveryNoise.Exclude }, PluginContext.Default);
        // Eight scored rows: the identity keeps the observed F1s, so every p-value is (1 + 1) / 2 = 1.
        var result = exclude.Evaluate(Input, [[0, 1, 2, 3, 4, 5, 6, 7]]);
        Assert.All(result.Records, r => Assert.Equal(1.0, r.F1PValue));
        Assert.All(result.Records, r => Assert.Equal(0.0, r.F1Excess, 15));
        Assert.All(result.Records, r => Assert.True(double.IsNaN(r.F1NullSd))); // one permutation has no spread
        var error = Assert.Throws<ArgumentException>(() => exclude.Evaluate(Input, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]));
        Assert.Contains("8 scored rows", error.Message);
    }

    [Fact]
    public void PermutationsAreSeededAndCanBeTurnedOff()
    {
        DiscoverabilityRow[] Run(int? seed, int permutations = 200, int runSeed = 0) =>
            new Discoverability(new DiscoverabilityOptions { Seed = seed, Permutations = permutations }, new PluginContext(new RandomSource(runSeed)))
                .Evaluate(Input).Records.ToArray();
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5).Select(r => r.F1NullMean), Run(6).Select(r => r.F1NullMean));
        Assert.Equal(Run(null, runSeed: 3), Run(null, runSeed: 3)); // no seed: the run's stream 'discoverability'
        var drawn = LabelPermutations.Draw(10, 200, new RandomSource(3).CreateRandom("discoverability")).Select(p => p.ToArray()).ToArray();
        Assert.Equal(new Discoverability(new DiscoverabilityOptions(), PluginContext.Default).Evaluate(Input, drawn).Records, Run(null, runSeed: 3));
        var off = Run(5, permutations: 0);
        Assert.All(off, r => Assert.True(double.IsNaN(r.F1NullMean) && double.IsNaN(r.F1PValue) && double.IsNaN(r.F1Excess)));
        Assert.All(off, r => Assert.Null(r.DiscoveredAdjusted));
        Assert.Equal([1.0, 1, 0], off.Select(r => r.Discovered ? 1.0 : 0)); // the raw verdicts stand
    }

    [Fact]
    public void CancellingDuringThePermutationsStopsIt()
    {
        using var source = new CancellationTokenSource();
        IEnumerable<int[]> CancelAfterTheFirst()
        {
            yield return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
            source.Cancel();
            yield return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        }
        var input = new EvaluationInput { Truth = Input.Truth, Predicted = Input.Predicted, CancellationToken = source.Token };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Discoverability(new DiscoverabilityOptions(), PluginContext.Default).Evaluate(input, CancelAfterTheFirst()));
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        var mismatch = new EvaluationInput { Truth = new[] { "a" }, Predicted = new Partition([0, 1]) };
        Assert.Contains("'discoverability'", Assert.Throws<ArgumentException>(() => new Discoverability(new DiscoverabilityOptions(), PluginContext.Default).Evaluate(mismatch)).Message);
        var empty = new EvaluationInput { Truth = Array.Empty<string>(), Predicted = new Partition([]) };
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new Discoverability(new DiscoverabilityOptions(), PluginContext.Default).Evaluate(empty)).Message);
        Assert.Contains(new DiscoverabilityOptions { Threshold = 0 }.Validate(), e => e.Option == "threshold");
        Assert.Equal(["permutations", "alpha"], new DiscoverabilityOptions { Permutations = -1, Alpha = 1 }.Validate().Select(e => e.Option));
    }
}
