using System.Globalization;
using System.Text;

namespace KpLab.Plugins.Onnx.Tokenization;

/// <summary>The character classes and transforms of BERT's text normalisation (Hugging Face's BertNormalizer).</summary>
internal static class UnicodeText
{
    /// <summary>Control characters BERT drops: categories Cc, Cf, Cn, Co, Cs except tab, newline and return.</summary>
    public static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') &&
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    /// <summary>Unicode White_Space (as Rust's char::is_whitespace), tab, newline and return included.</summary>
    public static bool IsWhitespace(Rune rune) => Rune.IsWhiteSpace(rune);

    /// <summary>BERT's punctuation: the ASCII symbol ranges 33-47, 58-64, 91-96, 123-126 and every P* category.</summary>
    public static bool IsPunctuation(Rune rune)
    {
        var cp = rune.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideograph blocks BERT splits into single characters.</summary>
    public static bool IsChinese(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    /// <summary>
    /// Appends <paramref name="rune"/>'s canonical decomposition (NFD without the reordering of combining marks, which
    /// does not matter once the marks are dropped) minus its non-spacing marks (Mn): BERT's strip_accents.
    /// </summary>
    public static void AppendWithoutAccents(StringBuilder output, Rune rune)
    {
        var cp = rune.Value;
        const int hangulBase = 0xAC00, hangulCount = 11172, jamoL = 0x1100, jamoV = 0x1161, jamoT = 0x11A7;
        if (cp is >= hangulBase and < hangulBase + hangulCount)
        {
            var index = cp - hangulBase;
            output.Append((char)(jamoL + index / 588)).Append((char)(jamoV + index % 588 / 28));
            if (index % 28 != 0) output.Append((char)(jamoT + index % 28));
            return;
        }

        var at = CanonicalDecompositionTable.Keys.BinarySearch(cp);
        if (at < 0)
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) output.Append(rune);
            return;
        }

        var offsets = CanonicalDecompositionTable.Offsets;
        foreach (var part in CanonicalDecompositionTable.Values[offsets[at]..offsets[at + 1]])
        {
            var partRune = new Rune(part);
            if (Rune.GetUnicodeCategory(partRune) != UnicodeCategory.NonSpacingMark) output.Append(partRune);
        }
    }

    /// <summary>Full lower-case mapping of one character: the simple mapping, except İ (U+0130) → "i̇".</summary>
    public static void AppendLower(StringBuilder output, Rune rune)
    {
        if (rune.Value == 0x130) output.Append("i\u0307");
        else output.Append(Rune.ToLowerInvariant(rune));
    }
}
