using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics.Tests;

/// <summary>Every metric against scikit-learn 1.2.1 (or NumPy/SciPy) on every fixture labelling, within 1e-10.</summary>
public sealed class SklearnAgreementTests
{
    private const double Tolerance = 1e-10;

    private static void Near(double expected, double actual, string what)
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}"); return; }
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected:R}, got {actual:R} (diff {Math.Abs(expected - actual):E2})");
    }

    [Theory]
    [MemberData(nameof(ExternalCase.Names), MemberType = typeof(ExternalCase))]
    public void PairMetricsMatch(string name)
    {
        var c = ExternalCase.Named(name);
        var options = new ExternalMetricOptions { Noise = c.Noise };
        Near(c.Expected("ari"), new AdjustedRandIndex(options).Evaluate(c.Input).Value, $"{name} ari");
        Near(c.Expected("fowlkes_mallows"), new FowlkesMallowsIndex(options).Evaluate(c.Input).Value, $"{name} fmi");
        var pairs = new PairCounting(options).Evaluate(c.Input);
        Near(c.Expected("pair_precision"), pairs.Components["precision"], $"{name} pair precision");
        Near(c.Expected("pair_recall"), pairs.Components["recall"], $"{name} pair recall");
    }

    [Theory]
    [MemberData(nameof(ExternalCase.Names), MemberType = typeof(ExternalCase))]
    public void InformationMetricsMatch(string name)
    {
        var c = ExternalCase.Named(name);
        foreach (var method in Enum.GetValues<AverageMethod>())
        {
            var options = new MutualInformationOptions { Noise = c.Noise, AverageMethod = method };
            var key = method.ToString().ToLowerInvariant();
            Near(c.Expected($"ami_{key}"), new AdjustedMutualInformation(options).Evaluate(c.Input).Value, $"{name} ami {key}");
            Near(c.Expected($"nmi_{key}"), new NormalizedMutualInformation(options).Evaluate(c.Input).Value, $"{name} nmi {key}");
        }
        var plain = new ExternalMetricOptions { Noise = c.Noise };
        Near(c.Expected("homogeneity"), new Homogeneity(plain).Evaluate(c.Input).Value, $"{name} homogeneity");
        Near(c.Expected("completeness"), new Completeness(plain).Evaluate(c.Input).Value, $"{name} completeness");
        Near(c.Expected("v_measure"), new VMeasure(new VMeasureOptions { Noise = c.Noise }).Evaluate(c.Input).Value, $"{name} v");
        Near(c.Expected("v_measure_beta2"), new VMeasure(new VMeasureOptions { Noise = c.Noise, Beta = 2 }).Evaluate(c.Input).Value, $"{name} v beta 2");
    }

    [Theory]
    [MemberData(nameof(ExternalCase.Names), MemberType = typeof(ExternalCase))]
    public void MatchingMetricsMatch(string name)
    {
        var c = ExternalCase.Named(name);
        var options = new ExternalMetricOptions { Noise = c.Noise };
        var purity = new Purity(options).Evaluate(c.Input);
        Near(c.Expected("purity"), purity.Value, $"{name} purity");
        Near(c.Expected("inverse_purity"), purity.Components["inversePurity"], $"{name} inverse purity (component)");
        Near(c.Expected("inverse_purity"), new InversePurity(options).Evaluate(c.Input).Value, $"{name} inverse purity");
        var matched = new MatchedF1(options).Evaluate(c.Input);
        Near(c.Expected("matched_f1"), matched.Value, $"{name} matched F1");
        var perLabel = c.ExpectedElement("matched_f1_per_label").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(perLabel.Length, matched.Rows.Count);
        for (int i = 0; i < perLabel.Length; i++) Near(perLabel[i], matched.Rows[i]["f1"], $"{name} matched F1 row {i}");
    }

    [Theory]
    [MemberData(nameof(ExternalCase.Names), MemberType = typeof(ExternalCase))]
    public void ContingencyMatchesSklearn(string name)
    {
        var c = ExternalCase.Named(name);
        var result = new Contingency(new ExternalMetricOptions { Noise = c.Noise }).Evaluate(c.Input);
        var table = (ResultTable)result.Details["contingency"];
        var expected = c.ExpectedElement("contingency").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(expected.Length, table.Rows.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], table.Rows[i].Skip(1).Select(v => (long)v!).ToArray());
        // The typed rows are the same table in long form: every (label, cluster) cell, zeros included, label-major.
        Assert.Equal(expected.SelectMany(r => r), result.Records.Select(r => r.Count));
        Assert.Equal(table.Rows.Select(r => (string)r[0]!), result.Records.Select(r => r.Label).Distinct());
        Assert.Equal(table.Columns.Skip(1), result.Records.Take(table.Columns.Count - 1)
            .Select(r => r.Cluster == -1 ? "noise" : $"cluster {r.Cluster}"));
    }
}
