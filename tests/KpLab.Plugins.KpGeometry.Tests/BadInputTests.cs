using KpLab.Abstractions;

namespace KpLab.Plugins.KpGeometry.Tests;

public sealed class BadInputTests
{
    private static readonly EmbeddingMatrix Three = EmbeddingMatrix.FromRows(new[] { new[] { 0f, 1f }, new[] { 1f, 0f }, new[] { 1f, 1f } });

    private static ArgumentException Fails(EvaluationInput input) =>
        Assert.Throws<ArgumentException>(() => new KpGeometryMetric(new KpGeometryOptions(), PluginContext.Default).Evaluate(input));

    [Fact]
    public void LengthMismatchNamesTheMetricAndBothLengths()
    {
        var error = Fails(new EvaluationInput { Embeddings = Three, Truth = new[] { "a", "b" } });
        Assert.Contains("'kp-geometry'", error.Message);
        Assert.Contains("3 rows", error.Message);
    }

    [Fact]
    public void EmptyInputAndMissingPartsAreRejected()
    {
        Assert.Contains("empty", Fails(new EvaluationInput { Embeddings = EmbeddingMatrix.FromRows(Array.Empty<float[]>(), 2), Truth = Array.Empty<string>() }).Message);
        Assert.Contains("Truth", Fails(new EvaluationInput { Embeddings = Three }).Message);
        Assert.Contains("Embeddings", Fails(new EvaluationInput { Truth = new[] { "a", "b", "c" } }).Message);
    }

    [Fact]
    public void NonFiniteEmbeddingsNameTheRow()
    {
        var nan = EmbeddingMatrix.FromRows(new[] { new[] { 0f, 1f }, new[] { 1f, 0f }, new[] { float.NaN, 1f } });
        var error = Fails(new EvaluationInput { Embeddings = nan, Truth = new[] { "a", "a", "b" } });
        Assert.Contains("kp-geometry", error.Message);
        Assert.Contains("row 2", error.Message);
    }

    [Fact]
    public void QualityOrderNamingAnAbsentLabelNamesItAndTheLabelsPresent()
    {
        var error = Fails(new EvaluationInput { Embeddings = Three, Truth = new[] { "good", "bad", "bad" }, QualityOrder = ["good", "ugly", "bad"] });
        Assert.Contains("'kp-geometry'", error.Message);
        Assert.Contains("'ugly'", error.Message);
        Assert.Contains("bad, good", error.Message);
        error = Fails(new EvaluationInput { Embeddings = Three, Truth = new[] { "good", "bad", "bad" }, QualityOrder = ["good", "good"] });
        Assert.Contains("twice", error.Message);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        var errors = new KpGeometryOptions { K = 0, Bootstrap = -1, Confidence = 1 }.Validate().Select(e => e.Option).ToArray();
        Assert.Equal(["k", "bootstrap", "confidence"], errors);
        Assert.Empty(new KpGeometryOptions().Validate());
    }

    [Fact]
    public void ZeroRowsAreZeroVectorsAndASingleRowHasNoNeighbours()
    {
        var data = EmbeddingMatrix.FromRows(new[] { new[] { 0f, 0f }, new[] { 2f, 0f }, new[] { 0f, 3f } });
        var result = new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, PluginContext.Default)
            .Evaluate(new EvaluationInput { Embeddings = data, Truth = new[] { "z", "z", "y" } });
        var z = result.Rows.Single(r => r.Key == "z");
        Assert.Equal(0.0, z["withinCosine"]); // cos(0, x) = 0
        Assert.Equal(0.5, z["centroidNorm"], 15);
        Assert.Equal(0.5, z["centroidCosine"], 15); // (0 + 1) / 2
        var single = new KpGeometryMetric(new KpGeometryOptions(), PluginContext.Default)
            .Evaluate(new EvaluationInput { Embeddings = EmbeddingMatrix.FromRows(new[] { new[] { 1f, 2f } }), Truth = new[] { "a" } });
        Assert.True(double.IsNaN(single.Rows[0]["knnAgreement"]) && double.IsNaN(single.Rows[0]["withinCosine"]));
        Assert.Equal(1.0, single.Rows[0]["centroidNorm"], 15);
    }
}
