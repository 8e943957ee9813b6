namespace KpLab.TextAnalysis;

/// <summary>
/// scikit-learn's default <c>token_pattern</c>, <c>(?u)\b\w\w+\b</c>, with Python's <c>\w</c> on str: a token is a
/// maximal run of at least two word code points (<see cref="PythonText.IsWord"/>). Scanning code points instead of
/// using .NET's Regex keeps Python's definition of a word character (see <see cref="PythonText"/>).
/// </summary>
public static class TokenPattern
{
    /// <summary>The tokens of <paramref name="codePoints"/>, in text order, repeats kept.</summary>
    public static List<string> Tokens(ReadOnlySpan<int> codePoints)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < codePoints.Length)
        {
            if (!PythonText.IsWord(codePoints[i])) { i++; continue; }
            int start = i;
            while (i < codePoints.Length && PythonText.IsWord(codePoints[i])) i++;
            if (i - start >= 2) tokens.Add(PythonText.FromCodePoints(codePoints[start..i]));
        }
        return tokens;
    }

    /// <summary>
    /// <c>CountVectorizer().build_analyzer()</c> with its defaults: Python's <c>str.lower()</c> (unless
    /// <paramref name="lowercase"/> is false), then <see cref="Tokens(ReadOnlySpan{int})"/>. Null or empty text has no tokens.
    /// </summary>
    public static List<string> Tokens(string? text, bool lowercase = true)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var codePoints = PythonText.CodePoints(text);
        return Tokens(lowercase ? PythonText.Lower(codePoints) : codePoints);
    }
}
