using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Plugins.Tfidf.Tests;

public sealed class BehaviourTests
{
    [Fact]
    public void ArgsortBreaksTiesAsNumpy()
    {
        using var doc = Fixture.Load("argsort.json");
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var values = c.GetProperty("values").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(Fixture.Ints(c.GetProperty("argsort")), NumpyArgsort.Argsort(values));
        }
    }

    [Fact]
    public void AllEmptyTextsGiveZeroColumns()
    {
        var logs = new List<string>();
        var context = new PluginContext(new RandomSource(0)) { Log = logs.Add };
        var m = new TfidfEmbedder(new TfidfOptions(), context).Embed(new string?[] { null, "", " a ", "😀" });
        Assert.Equal((4, 0), (m.Rows, m.Columns));
        Assert.Contains(logs, l => l.Contains("no feature remains"));
        var reduced = new TfidfEmbedder(new TfidfOptions { Components = 3 }, context).Embed(new string?[] { null, "" });
        Assert.Equal((2, 3), (reduced.Rows, reduced.Columns));
        Assert.All(reduced.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void WideVocabularyWithoutLsaIsRefused()
    {
        var texts = Enumerable.Range(0, 50).Select(i => $"word{i} other{i}").ToArray();
        var ex = Assert.Throws<ArgumentException>(() =>
            new TfidfEmbedder(new TfidfOptions { MaxDenseColumns = 60 }, PluginContext.Default).Embed(texts));
        Assert.Contains("maxDenseColumns", ex.Message);
        Assert.Equal(60, new TfidfEmbedder(new TfidfOptions { MaxDenseColumns = 60, MaxFeatures = 60 }, PluginContext.Default).Embed(texts).Columns);
    }

    [Fact]
    public void InvalidOptionsAreNamed()
    {
        Assert.Contains(new TfidfOptions { NgramMin = 2, NgramMax = 1 }.Validate(), e => e.Option == "ngramMax");
        Assert.Contains(new TfidfOptions { MinDf = 2.5 }.Validate(), e => e.Option == "minDf");
        Assert.Contains(new TfidfOptions { MaxFeatures = 0 }.Validate(), e => e.Option == "maxFeatures");
        var ex = Assert.Throws<ArgumentException>(() =>
            new TfidfEmbedder(new TfidfOptions { MinDf = 3, MaxDf = 2 }, PluginContext.Default).Embed(["a b", "b c"]));
        Assert.Contains("tfidf", ex.Message);
    }

    [Fact]
    public void IdentityNamesEveryOptionThatChangesVectors()
    {
        var a = new TfidfEmbedder(new TfidfOptions(), PluginContext.Default).Identity;
        var b = new TfidfEmbedder(new TfidfOptions { SublinearTf = true }, PluginContext.Default).Identity;
        var c = new TfidfEmbedder(new TfidfOptions { Analyzer = TfidfAnalyzer.CharWb }, PluginContext.Default).Identity;
        Assert.Equal(3, new[] { a, b, c }.Distinct().Count());
        Assert.Equal(0, new TfidfEmbedder(new TfidfOptions(), PluginContext.Default).Dimension);
    }

    [Fact]
    public void VeryLongTextsAndEmojiAreCounted()
    {
        var longText = string.Join(' ', Enumerable.Repeat("glucose light", 200_000));
        var m = new TfidfEmbedder(new TfidfOptions(), PluginContext.Default).Embed([longText, "light 😀 energy"]);
        Assert.Equal(3, m.Columns); // energy, glucose, light
        Assert.Equal(0f, m[0, 0]);
        Assert.True(m[0, 1] > m[0, 2]); // glucose (1 text) outweighs light (2 texts) at equal counts
        Assert.True(m[1, 0] > m[1, 2]);
        Assert.Equal(1f, m[0, 1] * m[0, 1] + m[0, 2] * m[0, 2], 5);
    }
}
