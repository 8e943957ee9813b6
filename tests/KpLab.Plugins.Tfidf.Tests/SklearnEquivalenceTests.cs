using System.Text.Json;
using KpLab.Abstractions;
using Xunit.Abstractions;

namespace KpLab.Plugins.Tfidf.Tests;

public sealed class SklearnEquivalenceTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonDocument> Cases = new(() => Fixture.Load("tfidf_cases.json.gz"));

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Value.RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesTfidfVectorizer(string name)
    {
        var root = Cases.Value.RootElement;
        var c = root.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var texts = root.GetProperty("corpora").GetProperty(c.GetProperty("corpus").GetString()!).EnumerateArray().Select(Fixture.Text).ToArray();
        var embedder = new TfidfEmbedder(OptionsOf(c.GetProperty("options")), PluginContext.Default);

        var matrix = embedder.Embed(texts);

        var vocabulary = c.GetProperty("vocabulary").EnumerateArray().Select(Fixture.Text).ToArray();
        Assert.Equal(vocabulary, embedder.Vocabulary);
        var idf = Fixture.Doubles(c.GetProperty("idf"));
        if (idf.Length > 0)
            for (int j = 0; j < idf.Length; j++) Assert.Equal(idf[j], embedder.Idf[j], 1e-12);
        var expected = Dense(c, texts.Length, vocabulary.Length);
        Assert.Equal(texts.Length, matrix.Rows);
        Assert.Equal(vocabulary.Length, matrix.Columns);
        double maxDeviation = 0;
        for (int i = 0; i < expected.Length; i++) maxDeviation = Math.Max(maxDeviation, Math.Abs(expected[i] - matrix.Values[i]));
        output.WriteLine($"{name}: {texts.Length} texts, {vocabulary.Length} features, max |deviation| {maxDeviation:E2}");
        Assert.True(maxDeviation <= 1e-6, $"max deviation {maxDeviation}");
    }

    [Fact]
    public void NullTextsEmbedLikeEmptyTexts()
    {
        var texts = new string?[] { "the cell wall", null, "", "  ", "cell membrane", null };
        var withNulls = new TfidfEmbedder(new TfidfOptions(), PluginContext.Default).Embed(texts);
        var withEmpty = new TfidfEmbedder(new TfidfOptions(), PluginContext.Default).Embed(texts.Select(t => t ?? "").ToArray());
        Assert.Equal(withEmpty.ToArray(), withNulls.ToArray());
        Assert.All(withNulls.Row(1).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(1f, MathF.Sqrt(withNulls.Row(0).ToArray().Sum(v => v * v)), 5);
    }

    internal static TfidfOptions OptionsOf(JsonElement o)
    {
        var options = new TfidfOptions();
        foreach (var p in o.EnumerateObject())
        {
            options = p.Name switch
            {
                "ngram_range" => options with { NgramMin = p.Value[0].GetInt32(), NgramMax = p.Value[1].GetInt32() },
                "analyzer" => options with
                {
                    Analyzer = p.Value.GetString() switch { "char" => TfidfAnalyzer.Char, "char_wb" => TfidfAnalyzer.CharWb, _ => TfidfAnalyzer.Word },
                },
                "min_df" => options with { MinDf = p.Value.GetDouble() },
                "max_df" => options with { MaxDf = p.Value.GetDouble() },
                "max_features" => options with { MaxFeatures = p.Value.GetInt32() },
                "sublinear_tf" => options with { SublinearTf = p.Value.GetBoolean() },
                "use_idf" => options with { UseIdf = p.Value.GetBoolean() },
                "smooth_idf" => options with { SmoothIdf = p.Value.GetBoolean() },
                "binary" => options with { Binary = p.Value.GetBoolean() },
                "lowercase" => options with { Lowercase = p.Value.GetBoolean() },
                "norm" => options with
                {
                    Norm = p.Value.ValueKind == JsonValueKind.Null ? TfidfNorm.None : p.Value.GetString() == "l1" ? TfidfNorm.L1 : TfidfNorm.L2,
                },
                _ => throw new InvalidOperationException($"Unknown option {p.Name}"),
            };
        }
        Assert.Empty(options.Validate());
        return options;
    }

    private static double[] Dense(JsonElement c, int rows, int columns)
    {
        var dense = new double[rows * columns];
        var indptr = Fixture.Ints(c.GetProperty("indptr"));
        var indices = Fixture.Ints(c.GetProperty("indices"));
        var data = Fixture.Doubles(c.GetProperty("data"));
        for (int r = 0; r < rows; r++)
            for (int k = indptr[r]; k < indptr[r + 1]; k++) dense[r * columns + indices[k]] = data[k];
        return dense;
    }
}
