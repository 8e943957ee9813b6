using KpLab.Abstractions;

namespace KpLab.Abstractions.Tests;

public sealed class PluginContractTests
{
    [Fact]
    public void Random_streams_are_reproducible_and_independent()
    {
        var a = new RandomSource(42);
        var b = new RandomSource(42);
        Assert.Equal(a.CreateRandom("kmeans").Next(), b.CreateRandom("kmeans").Next());
        Assert.NotEqual(a.DeriveSeed("kmeans"), a.DeriveSeed("spectral"));
        Assert.NotEqual(a.DeriveSeed("kmeans"), new RandomSource(43).DeriveSeed("kmeans"));
        // Pinned value: a change to the derivation would silently change every run's results.
        Assert.Equal(804406146, new RandomSource(0).DeriveSeed("kmeans"));
    }

    [Fact]
    public void Partition_counts_clusters_and_noise_and_rejects_bad_labels()
    {
        var p = new Partition([0, 1, -1, 1, 3]);
        Assert.Equal((3, 1, 5), (p.ClusterCount, p.NoiseCount, p.Count));
        Assert.Throws<ArgumentException>(() => new Partition([0, -2]));
        Assert.Throws<ArgumentException>(() => new Partition([0, 1]) { Probabilities = [1.0] });
    }

    [Fact]
    public void Label_vector_codes_follow_sorted_order()
    {
        LabelVector s = new[] { "wrong", "correct", "wrong" };
        Assert.Equal(["correct", "wrong"], s.Names);
        Assert.Equal([1, 0, 1], s.Codes);
        LabelVector i = new[] { 10, -1, 2 };
        Assert.Equal([2, 0, 1], i.Codes);
    }

    [Fact]
    public void Evaluation_input_length_mismatch_names_both_parts()
    {
        var input = new EvaluationInput { Predicted = new Partition([0, 1]), Truth = new[] { "a", "b", "c" } };
        var e = Assert.Throws<ArgumentException>(() => input.RequireSameLength("ari"));
        Assert.Contains("'ari'", e.Message);
        Assert.Contains("Predicted has 2", e.Message);
        Assert.Contains("Truth has 3", e.Message);
    }

    [Fact]
    public void With_cancellation_copies_every_part_and_sets_the_token()
    {
        using var source = new CancellationTokenSource();
        var input = new EvaluationInput
        {
            Embeddings = EmbeddingMatrix.FromValues(2, 1, [1f, 2f]), Predicted = new Partition([0, 1]), Truth = new[] { "a", "b" },
            QualityOrder = ["a", "b"],
        };

        var copy = input.WithCancellation(source.Token);

        Assert.Equal(source.Token, copy.CancellationToken);
        Assert.Equal(CancellationToken.None, input.CancellationToken);
        Assert.Same(input.Embeddings, copy.Embeddings);
        Assert.Same(input.Predicted, copy.Predicted);
        Assert.Same(input.Truth, copy.Truth);
        Assert.Same(input.QualityOrder, copy.QualityOrder);
    }
}
