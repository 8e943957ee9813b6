using System.Text;
using KpLab.TextAnalysis;

namespace KpLab.Plugins.Tfidf;

/// <summary>Receives one n-gram; the span is only valid during the call.</summary>
internal delegate void FeatureSink(ReadOnlySpan<char> feature);

/// <summary>
/// scikit-learn 1.2.1's analyzers (<c>build_analyzer</c>) on one text: preprocessing (Python lower-casing), then word
/// n-grams of <c>(?u)\b\w\w+\b</c> tokens, character n-grams or word-bounded character n-grams, all counted in code
/// points. Features are emitted as spans so counting allocates a string only for a feature seen the first time.
/// </summary>
internal sealed class NgramAnalyzer(TfidfAnalyzer analyzer, int minN, int maxN, bool lowercase)
{
    private readonly StringBuilder _buffer = new();

    /// <summary>Emits every n-gram of <paramref name="text"/> (null is an empty text) with its multiplicity.</summary>
    public void Analyze(string? text, FeatureSink sink)
    {
        if (string.IsNullOrEmpty(text)) return;
        var cps = PythonText.CodePoints(text);
        if (lowercase) cps = PythonText.Lower(cps);
        switch (analyzer)
        {
            case TfidfAnalyzer.Word: WordNgrams(cps, sink); break;
            case TfidfAnalyzer.Char: CharNgrams(CollapseWhitespace(cps), sink); break;
            default: CharWbNgrams(CollapseWhitespace(cps), sink); break;
        }
    }

    private void WordNgrams(int[] cps, FeatureSink sink)
    {
        var tokens = TokenPattern.Tokens(cps);
        int top = Math.Min(maxN, tokens.Count);
        for (int n = minN; n <= top; n++)
        {
            for (int i = 0; i + n <= tokens.Count; i++)
            {
                if (n == 1) { sink(tokens[i]); continue; }
                _buffer.Clear();
                _buffer.Append(tokens[i]);
                for (int k = 1; k < n; k++) _buffer.Append(' ').Append(tokens[i + k]);
                EmitBuffer(sink);
            }
        }
    }

    // re.sub(r"\s\s+", " ", text): runs of two or more whitespace code points become one space; single ones stay.
    private static int[] CollapseWhitespace(int[] cps)
    {
        var result = new List<int>(cps.Length);
        int i = 0;
        while (i < cps.Length)
        {
            if (!PythonText.IsSpace(cps[i])) { result.Add(cps[i++]); continue; }
            int start = i;
            while (i < cps.Length && PythonText.IsSpace(cps[i])) i++;
            if (i - start >= 2) result.Add(' ');
            else result.Add(cps[start]);
        }
        return result.ToArray();
    }

    private void CharNgrams(int[] cps, FeatureSink sink)
    {
        var (text, offsets) = Utf16WithOffsets(cps);
        int top = Math.Min(maxN, cps.Length);
        for (int n = minN; n <= top; n++)
            for (int i = 0; i + n <= cps.Length; i++)
                sink(text.AsSpan(offsets[i], offsets[i + n] - offsets[i]));
    }

    private void CharWbNgrams(int[] cps, FeatureSink sink)
    {
        int i = 0;
        while (i < cps.Length)
        {
            if (PythonText.IsSpace(cps[i])) { i++; continue; }
            int start = i;
            while (i < cps.Length && !PythonText.IsSpace(cps[i])) i++;
            var word = new int[i - start + 2];
            word[0] = ' ';
            word[^1] = ' ';
            cps.AsSpan(start, i - start).CopyTo(word.AsSpan(1));
            var (text, offsets) = Utf16WithOffsets(word);
            int length = word.Length;
            for (int n = minN; n <= maxN; n++)
            {
                // As sklearn: a word shorter than n is emitted whole once, and then no longer n-grams are made.
                int offset = 0;
                sink(Slice(text, offsets, offset, Math.Min(n, length)));
                while (offset + n < length)
                {
                    offset++;
                    sink(Slice(text, offsets, offset, Math.Min(n, length - offset)));
                }
                if (offset == 0) break;
            }
        }
    }

    private static ReadOnlySpan<char> Slice(string text, int[] offsets, int start, int count) =>
        text.AsSpan(offsets[start], offsets[start + count] - offsets[start]);

    private static (string Text, int[] Offsets) Utf16WithOffsets(int[] cps)
    {
        var builder = new StringBuilder(cps.Length + 8);
        var offsets = new int[cps.Length + 1];
        for (int i = 0; i < cps.Length; i++)
        {
            offsets[i] = builder.Length;
            PythonText.Append(builder, cps[i]);
        }
        offsets[cps.Length] = builder.Length;
        return (builder.ToString(), offsets);
    }

    private void EmitBuffer(FeatureSink sink)
    {
        Span<char> scratch = _buffer.Length <= 256 ? stackalloc char[_buffer.Length] : new char[_buffer.Length];
        _buffer.CopyTo(0, scratch, _buffer.Length);
        sink(scratch);
    }
}
