using System.Text.Json;

namespace KpLab.Plugins.UseLite.Tests;

/// <summary>The tokenizer's NFKC is ICU's (string.Normalize), which InvariantGlobalization would silently turn off.</summary>
public sealed class NfkcTests
{
    private static string Nfkc(string text)
    {
        var prepared = UnigramTokenizer.Prepare(text);
        return prepared.Length == 0 ? prepared : prepared[1..].Replace('\u2581', ' ');
    }

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("ﬁne", "fine")]
    [InlineData("①½", "11⁄2")]
    [InlineData("\u212B", "\u00C5")] // ANGSTROM SIGN → Å
    [InlineData("e\u0301", "\u00E9")]
    [InlineData("\uFF26\uFF35\uFF2C\uFF2C", "FULL")]
    [InlineData("\u1112\u1161\u11AB", "\uD55C")] // jamo → 한
    [InlineData("a\u0328\u0301", "\u0105\u0301")] // ogonek (202) composes before acute (230)
    [InlineData("\u0301e", "\u0301e")] // a leading mark stays
    [InlineData("x😀y", "x😀y")]
    public void KnownForms(string text, string expected) => Assert.Equal(expected, Nfkc(text));

    [Fact]
    public void AgreesWithPythonUnicodedataOnThreeThousandRandomStrings()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(PackageFixtures.FixturePath("nfkc-cases.json")));
        var failures = document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (Text: c.GetProperty("text").GetString()!, Expected: c.GetProperty("nfkc").GetString()!))
            .Where(c => Nfkc(c.Text) != c.Expected)
            .Select(c => $"{Escape(c.Text)} → {Escape(Nfkc(c.Text))}, expected {Escape(c.Expected)}")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} differ, e.g. {string.Join("; ", failures.Take(3))}");
    }

    private static string Escape(string s) => string.Concat(s.EnumerateRunes().Select(r => $"U+{r.Value:X4} "));
}
