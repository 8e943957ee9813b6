namespace KpLab.TextAnalysis.Tests;

/// <summary>Python 3 str semantics (moved here from the TF-IDF plugin's tests with the type).</summary>
public sealed class PythonTextTests
{
    [Theory]
    [InlineData("ΟΔΟΣ", "οδος")]
    [InlineData("ΣΑ Σ.", "σα σ.")]
    [InlineData("İx", "i\u0307x")]
    [InlineData("\u212A", "k")]
    [InlineData("STRASSE ß", "strasse ß")]
    public void LowersAsPython(string text, string expected) =>
        Assert.Equal(expected, PythonText.FromCodePoints(PythonText.Lower(PythonText.CodePoints(text))));

    [Fact]
    public void WordCharactersFollowPythonRe()
    {
        Assert.True(PythonText.IsWord('_'));
        Assert.True(PythonText.IsWord('²'));      // No: .NET \w says no, Python says yes
        Assert.True(PythonText.IsWord('Ⅻ'));      // Nl
        Assert.False(PythonText.IsWord(0x301));   // combining acute: .NET \w says yes, Python no
        Assert.False(PythonText.IsWord(0x203F));  // Pc other than '_'
        Assert.False(PythonText.IsWord(0xD800));  // lone surrogate
        Assert.True(PythonText.IsWord(0x1D401));  // astral letter
        Assert.True(PythonText.IsSpace(0x1C));
        Assert.False(PythonText.IsSpace(0x200B));
    }

    [Fact]
    public void OrdersByCodePointNotUtf16Unit()
    {
        var astral = char.ConvertFromUtf32(0x1F600);
        Assert.True(PythonText.CompareByCodePoint("\uFF01", astral) < 0);
        Assert.True(string.CompareOrdinal("\uFF01", astral) > 0); // why the comparer exists
        Assert.Equal(["ab", "abc", "b"], new[] { "b", "abc", "ab" }.Order(PythonText.CodePointOrder).ToArray());
    }
}
