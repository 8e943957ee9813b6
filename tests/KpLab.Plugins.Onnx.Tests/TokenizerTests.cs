using System.Text.Json;
using KpLab.Plugins.Onnx.Tokenization;

namespace KpLab.Plugins.Onnx.Tests;

public sealed class TokenizerTests
{
    private static readonly JsonElement Cases = FixtureFiles.Json("tokenizer_cases.json");

    private static Dictionary<string, int> Vocabulary() =>
        File.ReadLines(FixtureFiles.Path("tiny-bert", "vocab.txt")).Select((token, id) => (token, id))
            .ToDictionary(p => p.token, p => p.id);

    private static readonly BertWordPieceTokenizer Uncased = new(Vocabulary(), new BertTokenizerSettings());
    private static readonly BertWordPieceTokenizer Cased = new(Vocabulary(), new BertTokenizerSettings { Lowercase = false, StripAccents = false });

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Cases.GetProperty("cases").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    private static JsonElement Case(string name) =>
        Cases.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void UncasedIdsMatchPythonReference(string name)
    {
        var c = Case(name);
        var text = FixtureFiles.FromUtf16(c.GetProperty("utf16"));
        var ids = Uncased.Encode(text, c.GetProperty("maxLength").GetInt32(), out var untruncated);
        Assert.Equal(FixtureFiles.Ints(c.GetProperty("uncased")), ids);
        Assert.Equal(c.GetProperty("untruncatedLength").GetInt32(), untruncated);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void CasedIdsMatchPythonReference(string name)
    {
        var c = Case(name);
        var text = FixtureFiles.FromUtf16(c.GetProperty("utf16"));
        Assert.Equal(FixtureFiles.Ints(c.GetProperty("cased")), Cased.Encode(text, c.GetProperty("maxLength").GetInt32(), out _));
    }

    [Fact]
    public void NullEmptyAndWhitespaceAreClsSepOnly()
    {
        int[] expected = [Uncased.ClsId, Uncased.SepId];
        Assert.Equal(expected, Uncased.Encode(null, 16, out _));
        Assert.Equal(expected, Uncased.Encode("", 16, out _));
        Assert.Equal(expected, Uncased.Encode(" \t\r\n\u00a0\u3000", 16, out _));
    }

    [Fact]
    public void LoneSurrogatesAreDroppedLikeReplacementCharacters()
    {
        Assert.Equal(Uncased.Encode("salt", 16, out _), Uncased.Encode("sa\uD800lt", 16, out _));
        Assert.Equal(Uncased.Encode("salt", 16, out _), Uncased.Encode("sa\uDC00lt\uD83D", 16, out _));
    }

    [Fact]
    public void EmojiInVocabularyKeepsItsIdOthersAreUnknown()
    {
        var vocabulary = Vocabulary();
        Assert.Equal([Uncased.ClsId, vocabulary["😀"], Uncased.UnknownId, Uncased.SepId], Uncased.Encode("😀 🎉", 16, out _));
    }

    [Fact]
    public void TruncationKeepsClsAndSep()
    {
        var ids = Uncased.Encode(string.Join(' ', Enumerable.Repeat("salt", 50)), 10, out var untruncated);
        Assert.Equal(10, ids.Length);
        Assert.Equal(52, untruncated);
        Assert.Equal(Uncased.ClsId, ids[0]);
        Assert.Equal(Uncased.SepId, ids[^1]);
    }

    [Fact]
    public void AccentStrippingDecomposesPrecomposedAndHangul()
    {
        Assert.Equal("cafe nino nandu", Uncased.Normalize("Café niño ÑANDÚ"));
        Assert.Equal("\u1112\u1161\u11AB", Uncased.Normalize("한")); // Hangul syllable → L V T jamo
        Assert.Equal("Café", Cased.Normalize("Café"));
    }
}
