using System.Globalization;
using System.Text;

namespace KpLab.TextAnalysis;

/// <summary>
/// The parts of Python 3's <c>str</c> semantics that scikit-learn's text features depend on, for .NET strings:
/// code points (a surrogate pair is one character, a lone surrogate is its own code point, as in a Python str),
/// <c>str.lower()</c> (full mapping: İ → i̇, final sigma), <c>\w</c> and <c>\s</c> of <c>re</c> on str, and ordering by
/// code point (Python's <c>sorted</c> on str). .NET's Regex differs in all of these (its <c>\w</c> includes combining
/// marks and excludes ² or Ⅻ; <c>\s</c> misses U+001C–U+001F), so the analyzers scan code points directly.
/// </summary>
public static class PythonText
{
    /// <summary>The code points of <paramref name="text"/>; lone surrogates are kept as their own values.</summary>
    public static int[] CodePoints(string text)
    {
        var result = new int[text.Length];
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                result[count++] = char.ConvertToUtf32(c, text[i + 1]);
                i++;
            }
            else result[count++] = c;
        }
        return count == result.Length ? result : result[..count];
    }

    /// <summary>Appends one code point as UTF-16 (a lone surrogate as itself).</summary>
    public static void Append(StringBuilder builder, int codePoint)
    {
        if (codePoint < 0x10000) builder.Append((char)codePoint);
        else
        {
            builder.Append((char)(0xD800 + ((codePoint - 0x10000) >> 10)));
            builder.Append((char)(0xDC00 + ((codePoint - 0x10000) & 0x3FF)));
        }
    }

    /// <summary>The string of <paramref name="codePoints"/>.</summary>
    public static string FromCodePoints(ReadOnlySpan<int> codePoints)
    {
        var builder = new StringBuilder(codePoints.Length + 4);
        foreach (var cp in codePoints) Append(builder, cp);
        return builder.ToString();
    }

    /// <summary>Python's <c>str.lower()</c> on code points.</summary>
    public static int[] Lower(int[] codePoints)
    {
        var result = new List<int>(codePoints.Length);
        for (int i = 0; i < codePoints.Length; i++)
        {
            int cp = codePoints[i];
            if (cp < 0x80)
            {
                result.Add(cp is >= 'A' and <= 'Z' ? cp + 32 : cp);
            }
            else if (cp == 0x130)
            {
                // SpecialCasing: LATIN CAPITAL LETTER I WITH DOT ABOVE lowers to i + COMBINING DOT ABOVE.
                result.Add('i');
                result.Add(0x307);
            }
            else if (cp == 0x3A3)
            {
                result.Add(IsFinalSigma(codePoints, i) ? 0x3C2 : 0x3C3);
            }
            else if (IsSurrogate(cp)) result.Add(cp);
            else result.Add(Rune.ToLowerInvariant(new Rune(cp)).Value);
        }
        return result.ToArray();
    }

    /// <summary>Python's <c>\w</c> on str: alphanumeric (letters, and numbers of every kind) or underscore.</summary>
    public static bool IsWord(int cp)
    {
        if (cp < 0x80) return cp is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';
        if (IsSurrogate(cp)) return false;
        return CharUnicodeInfo.GetUnicodeCategory(cp) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    /// <summary>Python's <c>str.isspace()</c> (and <c>\s</c>): bidi types WS, B, S or category Zs.</summary>
    public static bool IsSpace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>Orders strings by code point, as Python compares str (not by UTF-16 unit, as ordinal comparison does).</summary>
    public static int CompareByCodePoint(string x, string y)
    {
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            int a = Next(x, ref i), b = Next(y, ref j);
            if (a != b) return a < b ? -1 : 1;
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }

    /// <summary>A comparer for <see cref="CompareByCodePoint"/>.</summary>
    public static readonly IComparer<string> CodePointOrder = Comparer<string>.Create(CompareByCodePoint);

    private static int Next(string s, ref int index)
    {
        char c = s[index++];
        if (char.IsHighSurrogate(c) && index < s.Length && char.IsLowSurrogate(s[index]))
            return char.ConvertToUtf32(c, s[index++]);
        return c;
    }

    private static bool IsSurrogate(int cp) => cp is >= 0xD800 and <= 0xDFFF;

    // Unicode Final_Sigma: preceded by a cased letter (skipping case-ignorables) and not followed by one.
    private static bool IsFinalSigma(int[] cps, int index)
    {
        int i = index - 1;
        while (i >= 0 && IsCaseIgnorable(cps[i])) i--;
        if (i < 0 || !IsCased(cps[i])) return false;
        int j = index + 1;
        while (j < cps.Length && IsCaseIgnorable(cps[j])) j++;
        return j >= cps.Length || !IsCased(cps[j]);
    }

    private static bool IsCased(int cp) => !IsSurrogate(cp) && CharUnicodeInfo.GetUnicodeCategory(cp) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(int cp) =>
        cp is '\'' or '.' or ':' or '^' or '`' or 0xB7 or 0x2018 or 0x2019 or 0x2024 or 0xAD
        || (!IsSurrogate(cp) && CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.ModifierLetter
            or UnicodeCategory.ModifierSymbol);
}
