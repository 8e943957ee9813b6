using KpLab.Abstractions;

namespace KpLab.Plugins.KpGeometry.Tests;

/// <summary>
/// Where kp-geometry finds its quality order: the input's, else the one the labels carry (their data set's), which
/// may name labels a subset lacks; without either the headline is NaN and the metric says why, once.
/// </summary>
public sealed class QualityOrderSourceTests
{
    // Three labels, each a tight bundle of a different spread, so withinCosine ranks them.
    private static readonly EmbeddingMatrix Data = EmbeddingMatrix.FromRows(new[]
    {
        new[] { 1f, 0.01f, 0f }, new[] { 1f, -0.01f, 0f }, new[] { 1f, 0f, 0.02f },
        new[] { 0.2f, 1f, 0.3f }, new[] { -0.2f, 1f, 0f }, new[] { 0f, 1f, -0.3f },
        new[] { 0.9f, 0f, 1f }, new[] { -0.9f, 0.2f, 1f }, new[] { 0f, -0.9f, 1f },
    });

    private static readonly string[] Labels = ["good", "good", "good", "fair", "fair", "fair", "bad", "bad", "bad"];

    private static (MetricResult Result, List<string> Log) Evaluate(EvaluationInput input)
    {
        var log = new List<string>();
        var metric = new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, new PluginContext(new RandomSource(0)) { Log = log.Add });
        return (metric.Evaluate(input), log);
    }

    [Fact]
    public void The_labels_own_order_gives_the_same_result_as_passing_it()
    {
        var given = Evaluate(new EvaluationInput { Embeddings = Data, Truth = Labels, QualityOrder = ["good", "fair", "bad"] }).Result;
        // The data set's order names a label this subset lacks ("awful"): it is left out, not an error.
        var carried = Evaluate(new EvaluationInput { Embeddings = Data, Truth = LabelVector.FromStrings(Labels).WithQualityOrder(["good", "fair", "awful", "bad"]) }).Result;
        Assert.Equal(-1.0, given.Value); // better labels are tighter here: rank and withinCosine are perfectly opposed
        Assert.Equal(given.Value, carried.Value);
        Assert.Equal(given.Components, carried.Components);
        Assert.Equal(given.Rows.Select(r => (r.Key, r.Values["qualityRank"])), carried.Rows.Select(r => (r.Key, r.Values["qualityRank"])));
    }

    [Fact]
    public void The_input_order_wins_over_the_labels_own()
    {
        var truth = LabelVector.FromStrings(Labels).WithQualityOrder(["good", "fair", "bad"]);
        var reversed = Evaluate(new EvaluationInput { Embeddings = Data, Truth = truth, QualityOrder = ["bad", "fair", "good"] }).Result;
        Assert.Equal(1.0, reversed.Value);
    }

    [Fact]
    public void Without_any_order_the_value_is_NaN_and_the_metric_says_why_once()
    {
        var log = new List<string>();
        var metric = new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, new PluginContext(new RandomSource(0)) { Log = log.Add });
        var first = metric.Evaluate(new EvaluationInput { Embeddings = Data, Truth = Labels });
        metric.Evaluate(new EvaluationInput { Embeddings = Data, Truth = Labels });
        Assert.True(double.IsNaN(first.Value));
        var line = Assert.Single(log);
        Assert.StartsWith("kp-geometry: no quality order (neither EvaluationInput.QualityOrder nor the labels' own", line);
        Assert.Contains("is NaN", line);
    }
}
