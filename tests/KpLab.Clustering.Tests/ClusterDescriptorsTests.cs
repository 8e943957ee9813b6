using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Clustering.Tests;

/// <summary>
/// c-TF-IDF and cluster descriptors against Fixtures/make_descriptors.py (BERTopic 0.17.4's definition computed with
/// scikit-learn's CountVectorizer and numpy; centroid cosines in numpy).
/// </summary>
public sealed class ClusterDescriptorsTests
{
    private const double Tolerance = 1e-12;
    private static readonly JsonElement Root = Load();

    private static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "descriptors.json")));
        return doc.RootElement.Clone();
    }

    private static string[] Strings(JsonElement e) => e.EnumerateArray().Select(v => v.GetString()!).ToArray();
    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static string[] Texts => Strings(Root.GetProperty("texts"));
    private static Partition Partition => new(Ints(Root.GetProperty("partition")));
    private static LabelVector Labels =>
        LabelVector.FromStrings(Strings(Root.GetProperty("labels"))).WithQualityOrder(Strings(Root.GetProperty("quality")));
    private static EmbeddingMatrix Embeddings => NpyFile.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "descriptors.npy"));

    private static JsonElement Reference(int index) => Root.GetProperty("ctfidf")[index];

    // The reference cases: cleaning "english" or "none", stop words null or "english".
    public static IEnumerable<object[]> Cases() => Enumerable.Range(0, Root.GetProperty("ctfidf").GetArrayLength()).Select(i => new object[] { i });

    private static ClassTfidf FitAsReference(int index)
    {
        var c = Reference(index);
        var cleaning = c.GetProperty("cleaning").GetString() == "english" ? ClassTfidfCleaning.English : ClassTfidfCleaning.None;
        var stopWords = c.GetProperty("stopWords").ValueKind == JsonValueKind.Null ? null : ClassTfidf.EnglishStopWords;
        return ClassTfidf.Fit(Texts, Partition.Labels, cleaning, stopWords);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScoresEqualTheReference(int index)
    {
        var want = Reference(index);
        var fit = FitAsReference(index);
        Assert.Equal(Ints(want.GetProperty("classes")), fit.Classes);
        Assert.Equal(Strings(want.GetProperty("vocabulary")), fit.Vocabulary);
        Assert.Equal(want.GetProperty("average").GetInt32(), fit.AverageWordsPerClass);
        Assert.Equal(Ints(want.GetProperty("words")), fit.WordsPerClass);
        var idf = want.GetProperty("idf").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(idf.Length, fit.Idf.Count);
        for (int t = 0; t < idf.Length; t++) Assert.Equal(idf[t], fit.Idf[t], Tolerance);

        // Every nonzero score of the reference, and no other: the full matrix.
        var scores = want.GetProperty("scores").EnumerateArray()
            .Select(s => (Cluster: s[0].GetInt32(), Term: s[1].GetString()!, Score: s[2].GetDouble())).ToArray();
        foreach (var (cluster, term, score) in scores) Assert.Equal(score, fit.Score(cluster, term), Tolerance);
        var ours = fit.Classes.SelectMany(c => fit.Terms(c).Select(t => (Cluster: c, t.Term))).ToArray();
        Assert.Equal(scores.Select(s => (s.Cluster, s.Term)), ours);
        Assert.Equal(0, fit.Score(0, "turtles"));
        Assert.Equal(0, fit.Score(0, "no-such-term"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TopTermsInReferenceOrder(int index)
    {
        var want = Reference(index);
        int top = Root.GetProperty("top").GetInt32();
        var fit = FitAsReference(index);
        foreach (var cluster in fit.Classes)
        {
            var expected = want.GetProperty("top").GetProperty(cluster.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .EnumerateArray().Select(p => (Term: p[0].GetString()!, Score: p[1].GetDouble())).ToArray();
            var got = fit.TopTerms(cluster, top);
            Assert.Equal(expected.Select(e => e.Term), got.Select(g => g.Term));
            for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k].Score, got[k].Score, Tolerance);
        }
        // In cluster 5, "controls", "enters", "wall" (and "what", unless a stop word) have equal counts and
        // frequencies, so equal scores: vocabulary order breaks the tie.
        var five = fit.TopTerms(5, top);
        var tied = five.Where(t => t.Score == five[2].Score).Select(t => t.Term).ToArray();
        Assert.Equal(want.GetProperty("stopWords").ValueKind == JsonValueKind.Null ? ["controls", "enters", "wall", "what"] : ["controls", "enters", "wall"], tied);
    }

    [Fact]
    public void StopWordsAreNotCounted()
    {
        var fit = FitAsReference(2);
        Assert.DoesNotContain("the", fit.Vocabulary);
        Assert.Equal(0, fit.Score(5, "the"));
        Assert.True(ClassTfidf.Fit(Texts, Partition.Labels).Score(5, "the") > 0);
        var described = ClusterDescriptors.Describe(Texts, Labels, Embeddings, Partition, stopWords: ClassTfidf.EnglishStopWords);
        Assert.Equal(Reference(2).GetProperty("top").GetProperty("5").EnumerateArray().Select(p => p[0].GetString()!),
            described.Single(d => d.Cluster == 5).TopTerms.Select(t => t.Term));
    }

    [Fact]
    public void EnglishCleaningIsBertopics()
    {
        // Expected value from Python: re.sub(r"[^A-Za-z0-9 ]+", "", text.replace("\t", " ")).
        Assert.Equal("Cafe nave  dont ATPADP snakecase", ClassTfidf.Clean("Cafe naïve ¿ don't ATP-ADP\t_snake_case", ClassTfidfCleaning.English));
        Assert.Equal("a b c", ClassTfidf.Clean("a\nb\tc", ClassTfidfCleaning.None));
        Assert.Equal("", ClassTfidf.Clean(null, ClassTfidfCleaning.English));
    }

    [Fact]
    public void DescriptorsEqualTheReference()
    {
        var descriptors = ClusterDescriptors.Describe(Texts, Labels, Embeddings, Partition,
            topTerms: Root.GetProperty("top").GetInt32(), representatives: Root.GetProperty("representatives").GetInt32());
        var want = Root.GetProperty("descriptors").EnumerateArray().ToArray();
        var top = Reference(0).GetProperty("top");
        Assert.Equal(want.Length, descriptors.Count);
        for (int k = 0; k < want.Length; k++)
        {
            var (w, d) = (want[k], descriptors[k]);
            Assert.Equal(w.GetProperty("cluster").GetInt32(), d.Cluster);
            Assert.Equal(d.Cluster == -1, d.IsNoise);
            Assert.Equal(w.GetProperty("size").GetInt32(), d.Size);
            Assert.Equal(w.GetProperty("labels").EnumerateArray().Select(p => new LabelCount(p[0].GetString()!, p[1].GetInt32())), d.LabelCounts);
            Assert.Equal(top.GetProperty(d.Cluster.ToString(System.Globalization.CultureInfo.InvariantCulture)).EnumerateArray().Select(p => p[0].GetString()!),
                d.TopTerms.Select(t => t.Term));
            var reps = w.GetProperty("representatives").EnumerateArray().ToArray();
            Assert.Equal(reps.Select(r => r[0].GetInt32()), d.Representatives.Select(r => r.Row));
            Assert.Equal(reps.Select(r => r[1].GetString()), d.Representatives.Select(r => r.Text));
            for (int r = 0; r < reps.Length; r++) Assert.Equal(reps[r][2].GetDouble(), d.Representatives[r].Cosine, Tolerance);
        }
        // Rows 17 and 18 are identical: equal cosine, the earlier row first.
        var five = descriptors.Single(d => d.Cluster == 5);
        Assert.Equal((17, 18), (five.Representatives[0].Row, five.Representatives[1].Row));
        Assert.Equal(five.Representatives[0].Cosine, five.Representatives[1].Cosine);
    }

    [Fact]
    public void NoiseIsItsOwnClassAndCounts()
    {
        var fit = ClassTfidf.Fit(Texts, Partition.Labels);
        Assert.Equal(-1, fit.Classes[0]);
        Assert.Contains(fit.TopTerms(-1, 3), t => t.Term == "turtles");
        // Relabelling the noise as a cluster changes nothing but the name: noise is counted like any class.
        var relabelled = ClassTfidf.Fit(Texts, Partition.Labels.Select(l => l < 0 ? 99 : l).ToArray());
        Assert.Equal(fit.Idf, relabelled.Idf);
        Assert.Equal(fit.TopTerms(-1, 10), relabelled.TopTerms(99, 10));
        // Without the noise rows, A and the idf change: the noise class is part of the reference, not dropped.
        var kept = Enumerable.Range(0, Texts.Length).Where(i => Partition.Labels[i] >= 0).ToArray();
        var without = ClassTfidf.Fit(kept.Select(i => Texts[i]).ToArray(), kept.Select(i => Partition.Labels[i]).ToArray());
        Assert.NotEqual(fit.Score(0, "energy"), without.Score(0, "energy"));
    }

    [Fact]
    public void ClassWithoutWordsHasNoTopTerms()
    {
        var fit = ClassTfidf.Fit(Texts, Partition.Labels);
        Assert.Equal(0, fit.WordsPerClass[fit.Classes.ToList().IndexOf(7)]);
        Assert.Empty(fit.TopTerms(7, 10));
        Assert.Empty(fit.Terms(7));
        var descriptor = ClusterDescriptors.Describe(Texts, Labels, Embeddings, Partition).Single(d => d.Cluster == 7);
        Assert.Equal(1, descriptor.Size);
        Assert.Empty(descriptor.TopTerms);
        Assert.Equal(19, Assert.Single(descriptor.Representatives).Row);
    }

    [Fact]
    public void TextsWithoutAnyWordGiveEmptyTopTerms()
    {
        var fit = ClassTfidf.Fit(new string?[] { "", null, "?!", "a b" }, [0, 0, 1, -1]);
        Assert.Empty(fit.Vocabulary);
        Assert.Equal(0, fit.AverageWordsPerClass);
        Assert.All(fit.Classes, c => Assert.Empty(fit.TopTerms(c, 5)));
        var embeddings = EmbeddingMatrix.FromRows(new[] { new float[] { 1, 0 }, new float[] { 0, 1 }, new float[] { 1, 1 }, new float[] { 0, 0 } });
        var descriptors = ClusterDescriptors.Describe(new string?[] { "", null, "?!", "a b" }, null, embeddings, new Partition([0, 0, 1, -1]));
        Assert.Equal([-1, 0, 1], descriptors.Select(d => d.Cluster));
        Assert.All(descriptors, d => Assert.Empty(d.LabelCounts));
        Assert.Equal(["", ""], descriptors[1].Representatives.Select(r => r.Text));
        // The zero row (noise) has cosine 0 with its own (zero) centroid.
        Assert.Equal(0.0, descriptors[0].Representatives[0].Cosine);
    }

    [Fact]
    public void WhenEveryIdfIsZeroNoTermIsTop()
    {
        // One word over three classes: A = int(1/3) = 0, so idf = log(1) = 0 and no score is positive.
        var fit = ClassTfidf.Fit(new[] { "word", "", "" }, [0, 1, 2]);
        Assert.Equal(0, fit.AverageWordsPerClass);
        Assert.Equal(0.0, fit.Score(0, "word"));
        Assert.Empty(fit.TopTerms(0, 3));
    }

    [Fact]
    public void TableHasARowPerClusterAndAColumnPerLabel()
    {
        var table = ClusterDescriptors.ToTable(ClusterDescriptors.Describe(Texts, Labels, Embeddings, Partition));
        Assert.Equal(["cluster", "noise", "size", "correct", "partially_correct_incomplete", "contradictory", "irrelevant", "non_domain",
            "topTerms", "representative1", "representative2", "representative3"], table.Columns);
        Assert.Equal(6, table.Rows.Count);
        var zero = table.Rows[1];
        Assert.Equal([0, false, 6, 4, 1, 1, 0, 0], zero.Take(8).ToArray());
        Assert.StartsWith("mitochondria, energy, atp", (string)zero[8]!);
        Assert.Equal("ATP-ADP cycle: mitochondria release energy from glucose.", zero[9]);
        Assert.Null(table.Rows[5][10]);   // cluster 7 has one answer
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterDescriptors.Describe(Texts[..3], Labels, Embeddings, Partition));
        Assert.Equal("texts", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ClusterDescriptors.Describe(Texts, Labels, Embeddings.SelectRows([0, 1]), Partition));
        Assert.Equal("embeddings", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterDescriptors.Describe(Texts, Labels, Embeddings, Partition, topTerms: -1));
        e = Assert.Throws<ArgumentException>(() => ClassTfidf.Fit(Texts, Partition.Labels).TopTerms(3, 5));
        Assert.Contains("no text has class 3", e.Message);
        var nan = EmbeddingMatrix.FromRows(Enumerable.Range(0, Texts.Length).Select(i => new float[] { i == 4 ? float.NaN : 1f }).ToArray());
        e = Assert.Throws<ArgumentException>(() => ClusterDescriptors.Describe(Texts, Labels, nan, Partition));
        Assert.Contains("row 4", e.Message);
    }
}
