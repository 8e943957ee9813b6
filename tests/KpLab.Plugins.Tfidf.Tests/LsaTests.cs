using KpLab.Abstractions;
using Xunit.Abstractions;

namespace KpLab.Plugins.Tfidf.Tests;

public sealed class LsaTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("lsa.json.gz")]      // wide: 1500 texts x 3012 features (left vectors reorthogonalised)
    [InlineData("lsa_tall.json.gz")] // tall: 1500 texts x 300 features (right vectors reorthogonalised)
    public void MatchesNumpyExactSvdUpToSign(string file)
    {
        using var lsa = Fixture.Load(file);
        using var cases = Fixture.Load("tfidf_cases.json.gz");
        var root = lsa.RootElement;
        int k = root.GetProperty("k").GetInt32();
        var texts = cases.RootElement.GetProperty("corpora").GetProperty("SEM").EnumerateArray().Take(1500).Select(Fixture.Text).ToArray();
        var options = SklearnEquivalenceTests.OptionsOf(root.GetProperty("options")) with { Components = k };
        var embedder = new TfidfEmbedder(options, PluginContext.Default);

        var projection = embedder.Embed(texts);

        Assert.Equal(k, embedder.Dimension);
        Assert.Equal((texts.Length, k), (projection.Rows, projection.Columns));
        var sigma = Fixture.Doubles(root.GetProperty("singular_values"));
        double worstSigma = 0, worstComponent = 0, worstProjection = 0;
        int vocabulary = embedder.Vocabulary.Count;
        var expectedComponents = root.GetProperty("components").EnumerateArray().Select(Fixture.Doubles).ToArray();
        var expectedProjection = root.GetProperty("projection").EnumerateArray().Select(Fixture.Doubles).ToArray();
        for (int j = 0; j < k; j++)
        {
            worstSigma = Math.Max(worstSigma, Math.Abs(embedder.SingularValues[j] - sigma[j]) / sigma[j]);
            var ours = Enumerable.Range(0, vocabulary).Select(i => embedder.Components[j * vocabulary + i]).ToArray();
            // Our sign convention: the largest-|value| loading of every component is positive.
            Assert.True(ours.MaxBy(Math.Abs) > 0);
            double sign = Math.Sign(ours.Zip(expectedComponents[j]).Sum(p => p.First * p.Second));
            // Vectors are determined only where σ is separated from its neighbours; compare those.
            double gap = Math.Min(j > 0 ? sigma[j - 1] - sigma[j] : double.MaxValue, j + 1 < k ? sigma[j] - sigma[j + 1] : double.MaxValue);
            if (gap < 1e-3 * sigma[0]) continue;
            for (int i = 0; i < vocabulary; i++)
                worstComponent = Math.Max(worstComponent, Math.Abs(ours[i] - sign * expectedComponents[j][i]));
            for (int r = 0; r < texts.Length; r++)
                worstProjection = Math.Max(worstProjection, Math.Abs(projection[r, j] - sign * expectedProjection[r][j]));
        }
        Assert.Equal(root.GetProperty("shape")[1].GetInt32(), vocabulary);
        output.WriteLine($"{file}: sigma rel {worstSigma:E2}, components {worstComponent:E2}, projection {worstProjection:E2}");
        Assert.True(worstSigma < 1e-4, $"singular values off by {worstSigma} relative");
        Assert.True(worstComponent < 1e-4, $"components off by {worstComponent}");
        Assert.True(worstProjection < 1e-4, $"projection off by {worstProjection}");
    }

    [Fact]
    public void ComponentsBeyondTheRankAreZero()
    {
        var texts = new[] { "cell wall", "cell membrane", "cell wall membrane" };
        var embedder = new TfidfEmbedder(new TfidfOptions { Components = 5 }, PluginContext.Default);
        var m = embedder.Embed(texts);
        Assert.Equal((3, 5), (m.Rows, m.Columns));
        for (int r = 0; r < 3; r++) Assert.Equal(0f, m[r, 3]);
        // With as many components as the rank, U·Σ keeps every pairwise inner product of the TF-IDF rows.
        var dense = new TfidfEmbedder(new TfidfOptions(), PluginContext.Default).Embed(texts);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
            {
                double full = 0, reduced = 0;
                for (int j = 0; j < dense.Columns; j++) full += dense[a, j] * dense[b, j];
                for (int j = 0; j < 5; j++) reduced += m[a, j] * m[b, j];
                Assert.True(Math.Abs(full - reduced) < 1e-5, $"({a}, {b}): {full} vs {reduced}");
            }
    }
}
