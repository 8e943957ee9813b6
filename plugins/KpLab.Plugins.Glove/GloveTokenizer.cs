using System.Text;

namespace KpLab.Plugins.Glove;

/// <summary>
/// Splits text into words the way the wink GloVe vocabulary spells them. The vocabulary is lower-case ASCII letters,
/// digits and hyphens (e.g. "well-known", "co2"); it has no apostrophes, no accented letters, no single letters and no
/// bare numbers. So: lower-case; fold Latin accents (é → e, æ → ae, ß → ss) and drop combining marks; a token is a run
/// of letters and digits, where inner hyphens join a compound if the vocabulary has it (otherwise its parts count)
/// and inner apostrophes (' or ’) mark English clitics: n't → "not" (can't → can not, won't → will not), 're → are,
/// 'll → will, 've → have, 'm → am, 'd → would, possessive or "is" 's is dropped; other apostrophes ("o'clock")
/// join the parts if the vocabulary has the joined word, else split. Everything else (punctuation, emoji, symbols,
/// lone surrogates, letters outside the BMP) separates tokens and is not counted.
/// </summary>
internal sealed class GloveTokenizer(Func<string, bool> inVocabulary)
{
    /// <summary>The tokens of <paramref name="text"/> (null is empty).</summary>
    public List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text)) return tokens;
        var folded = Fold(text);
        int i = 0;
        while (i < folded.Length)
        {
            if (!char.IsLetterOrDigit(folded[i])) { i++; continue; }
            int start = i;
            while (i < folded.Length)
            {
                if (char.IsLetterOrDigit(folded[i])) { i++; continue; }
                if ((folded[i] == '-' || folded[i] == '\'') && i + 1 < folded.Length && char.IsLetterOrDigit(folded[i + 1])) { i++; continue; }
                break;
            }
            AddCompound(folded[start..i], tokens);
        }
        return tokens;
    }

    private void AddCompound(string word, List<string> tokens)
    {
        if (!word.Contains('-')) { AddWord(word, tokens); return; }
        if (!word.Contains('\'') && inVocabulary(word)) { tokens.Add(word); return; }
        foreach (var part in word.Split('-')) AddWord(part, tokens);
    }

    private void AddWord(string word, List<string> tokens)
    {
        int apostrophe = word.IndexOf('\'');
        if (apostrophe < 0) { tokens.Add(word); return; }
        if (word.EndsWith("n't", StringComparison.Ordinal) && word.Length > 3 && word.IndexOf('\'') == word.Length - 2)
        {
            var stem = word[..^3];
            tokens.Add(stem switch { "ca" => "can", "wo" => "will", "sha" => "shall", "ai" => "is", _ => stem });
            tokens.Add("not");
            return;
        }
        if (apostrophe == word.LastIndexOf('\''))
        {
            var stem = word[..apostrophe];
            string? clitic = word[(apostrophe + 1)..] switch
            {
                "s" => "", "re" => "are", "ll" => "will", "ve" => "have", "m" => "am", "d" => "would", _ => null,
            };
            if (clitic is not null)
            {
                tokens.Add(stem);
                if (clitic.Length > 0) tokens.Add(clitic);
                return;
            }
        }
        var joined = word.Replace("'", "", StringComparison.Ordinal);
        if (inVocabulary(joined)) { tokens.Add(joined); return; }
        tokens.AddRange(word.Split('\''));
    }

    /// <summary>Lower-cases, maps curly apostrophes to ', folds Latin accents and drops combining marks.</summary>
    internal static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var raw in text)
        {
            char c = char.ToLowerInvariant(raw);
            if (c < 0x80) { builder.Append(c); continue; }
            if (c is '\u2019' or '\u2018' or '\u02BC') { builder.Append('\''); continue; }
            if (c is >= '\u0300' and <= '\u036F') continue; // combining diacritics
            switch (c)
            {
                case 'æ': builder.Append("ae"); continue;
                case 'œ': builder.Append("oe"); continue;
                case 'ß': builder.Append("ss"); continue;
                case 'ĳ': builder.Append("ij"); continue;
            }
            builder.Append(FoldLatin(c));
        }
        return builder.ToString();
    }

    private const string Latin1Lower = "aaaaaa\0ceeeeiiiidnooooo\0ouuuuy\0y"; // U+00E0..U+00FF, \0 = unchanged

    private static readonly (char First, char Last, char Base)[] LatinExtendedA =
    [
        ('\u0100', '\u0105', 'a'), ('\u0106', '\u010D', 'c'), ('\u010E', '\u0111', 'd'), ('\u0112', '\u011B', 'e'),
        ('\u011C', '\u0123', 'g'), ('\u0124', '\u0127', 'h'), ('\u0128', '\u0131', 'i'), ('\u0134', '\u0135', 'j'),
        ('\u0136', '\u0138', 'k'), ('\u0139', '\u0142', 'l'), ('\u0143', '\u014B', 'n'), ('\u014C', '\u0151', 'o'),
        ('\u0154', '\u0159', 'r'), ('\u015A', '\u0161', 's'), ('\u0162', '\u0167', 't'), ('\u0168', '\u0173', 'u'),
        ('\u0174', '\u0175', 'w'), ('\u0176', '\u0178', 'y'), ('\u0179', '\u017E', 'z'), ('\u017F', '\u017F', 's'),
    ];

    private static char FoldLatin(char c)
    {
        if (c is >= '\u00E0' and <= '\u00FF')
        {
            char mapped = Latin1Lower[c - 0xE0];
            return mapped == '\0' ? c : mapped;
        }
        foreach (var (first, last, letter) in LatinExtendedA)
            if (c >= first && c <= last) return letter;
        return c;
    }
}
