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

    /// <summary>Full lower-case mapping of one character: the simple mapping, except İ (U+0130) → "i̇".</summary>
    public static void AppendLower(StringBuilder output, Rune rune)
    {
        if (rune.Value == 0x130) output.Append("i\u0307");
        else output.Append(Rune.ToLowerInvariant(rune));
    }
}
