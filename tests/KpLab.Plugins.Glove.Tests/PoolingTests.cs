using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Plugins.Glove.Tests;

public sealed class PoolingTests
{
    private static readonly JsonDocument Expected =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pooling.json")));

    public static TheoryData<string> Cases() =>
        new(Expected.RootElement.GetProperty("cases").EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNumpyReference(string name)
    {
        var options = name switch
        {
            "mean" => new GloveOptions { Pooling = GlovePooling.Mean, RemoveFirstComponent = false, Normalize = false },
            "mean_pc_norm" => new GloveOptions { Pooling = GlovePooling.Mean },
            "sif_zipf" => new GloveOptions { RemoveFirstComponent = false, Normalize = false },
            "sif_zipf_pc_norm" => new GloveOptions(),
            "sif_texts_pc" => new GloveOptions { SifFrequencies = SifFrequencySource.Texts, Normalize = false },
            "sif_zipf_a005_norm" => new GloveOptions { SifA = 0.05, RemoveFirstComponent = false },
            _ => throw new InvalidOperationException(name),
        };
        using var model = new TinyModel();
        var texts = Expected.RootElement.GetProperty("texts").EnumerateArray().Select(t => t.GetString()).ToArray();
        var matrix = model.Embedder(options).Embed(texts);
        var expected = Expected.RootElement.GetProperty("cases").GetProperty(name).EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal((texts.Length, 8), (matrix.Rows, matrix.Columns));
        for (int r = 0; r < texts.Length; r++)
            for (int c = 0; c < 8; c++)
                Assert.True(Math.Abs(expected[r][c] - matrix[r, c]) < 1e-5, $"{name} [{r},{c}]: {matrix[r, c]} vs {expected[r][c]}");
    }

    [Fact]
    public void EdgeTextsGetZeroVectorsAndAreCounted()
    {
        using var model = new TinyModel();
        var embedder = model.Embedder();
        string lone = "water \uD800 salt";
        var texts = new string?[] { null, "", "   \t\n", "😀👍🏽", "zzz qqq", lone, "the water", string.Join(' ', Enumerable.Repeat("light heat", 100_000)) };
        var m = embedder.Embed(texts);
        for (int r = 0; r < 5; r++) Assert.All(m.Row(r).ToArray(), v => Assert.Equal(0f, v));
        for (int r = 5; r < texts.Length; r++) Assert.Equal(1f, MathF.Sqrt(m.Row(r).ToArray().Sum(v => v * v)), 4);
        var stats = embedder.LastStatistics!;
        Assert.Equal(texts.Length, stats.Texts);
        Assert.Equal(5, stats.TextsWithoutKnownWords);
        Assert.Equal(2 + 2 + 2 + 200_000, stats.Tokens);
        Assert.Equal(2, stats.OutOfVocabularyTokens);
        Assert.Equal(["qqq", "zzz"], stats.MostFrequentUnknown.Select(p => p.Key).ToArray());
        Assert.Contains(model.Logs, l => l.Contains("2 out of vocabulary"));
    }

    [Fact]
    public void HugeUnknownWordIsQuotedCutInTheLog()
    {
        using var model = new TinyModel();
        var embedder = model.Embedder();
        var huge = new string('q', 10_000_000);
        embedder.Embed([huge, "salt"]);
        var line = Assert.Single(model.Logs, l => l.Contains("most frequent unknown"));
        Assert.True(line.Length < 1_000, $"the log line has {line.Length} characters");
        Assert.Contains(new string('q', GloveEmbedder.QuotedWordLength) + "… [10000000 characters] (1)", line);
        Assert.Equal(10_000_000, embedder.LastStatistics!.MostFrequentUnknown.Max(p => p.Key.Length));
    }

    [Fact]
    public void QuotingNeverSplitsASurrogatePair()
    {
        var word = new string('z', GloveEmbedder.QuotedWordLength - 1) + "😀😀";
        Assert.Equal(new string('z', GloveEmbedder.QuotedWordLength - 1) + "… [43 characters]", GloveEmbedder.Quote(word));
        Assert.Equal("salt", GloveEmbedder.Quote("salt"));
    }

    [Fact]
    public void FirstComponentRemovalNeedsTwoTexts()
    {
        using var model = new TinyModel();
        var single = model.Embedder(new GloveOptions { Normalize = false }).Embed(["water salt", ""]);
        var plain = model.Embedder(new GloveOptions { Normalize = false, RemoveFirstComponent = false }).Embed(["water salt", ""]);
        Assert.Equal(plain.ToArray(), single.ToArray());
        Assert.Contains(model.Logs, l => l.Contains("skipped"));
    }

    [Fact]
    public void IdentityCarriesSourceHashPoolingAndOptions()
    {
        using var model = new TinyModel();
        var sif = model.Embedder().Identity;
        Assert.Contains("source=sha256-", sif);
        Assert.Contains("pooling=sif", sif);
        Assert.Contains("sifA=0.001", sif);
        Assert.Contains("normalize=l2", sif);
        Assert.NotEqual(sif, model.Embedder(new GloveOptions { SifA = 0.01 }).Identity);
        Assert.NotEqual(sif, model.Embedder(new GloveOptions { RemoveFirstComponent = false }).Identity);
        Assert.Contains("pooling=mean", model.Embedder(new GloveOptions { Pooling = GlovePooling.Mean }).Identity);
    }

    [Fact]
    public void InvalidOptionsAndMissingFilesAreReported()
    {
        Assert.Contains(new GloveOptions { SifA = 0 }.Validate(), e => e.Option == "sifA");
        var context = new PluginContext(new RandomSource(0)) { CacheDirectory = Path.Combine(Path.GetTempPath(), "kplab-none-" + Guid.NewGuid().ToString("N")) };
        var ex = Assert.Throws<FileNotFoundException>(() => new GloveEmbedder(new GloveOptions(), context));
        Assert.Contains("fetch-models", ex.Message);
    }
}
