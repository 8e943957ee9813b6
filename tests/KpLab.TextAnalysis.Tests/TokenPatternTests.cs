using System.Text.Json;

namespace KpLab.TextAnalysis.Tests;

/// <summary><see cref="TokenPattern"/> against scikit-learn's CountVectorizer analyzer (Fixtures/make_tokens.py).</summary>
public sealed class TokenPatternTests
{
    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokens.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            yield return [c.GetProperty("text").GetString()!, Strings(c.GetProperty("lower")), Strings(c.GetProperty("keep"))];
    }

    private static string[] Strings(JsonElement e) => e.EnumerateArray().Select(v => v.GetString()!).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesCountVectorizerAnalyzer(string text, string[] lower, string[] keep)
    {
        Assert.Equal(lower, TokenPattern.Tokens(text));
        Assert.Equal(keep, TokenPattern.Tokens(text, lowercase: false));
    }

    [Fact]
    public void NullHasNoTokens() => Assert.Empty(TokenPattern.Tokens((string?)null));
}

/// <summary><see cref="StopWords"/> against scikit-learn's list (Fixtures/make_tokens.py).</summary>
public sealed class StopWordsTests
{
    [Fact]
    public void EnglishIsScikitLearns()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokens.json")));
        var expected = doc.RootElement.GetProperty("englishStopWords").EnumerateArray().Select(v => v.GetString()!).ToArray();
        Assert.Equal(318, expected.Length);
        Assert.Equal(expected, StopWords.English.Order(StringComparer.Ordinal));
    }
}
