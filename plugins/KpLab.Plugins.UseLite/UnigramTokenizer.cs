using System.Text;
using System.Text.Json;

namespace KpLab.Plugins.UseLite;

/// <summary>
/// The SentencePiece unigram tokenizer exactly as @energetic-ai/embeddings 0.2.0 (after tfjs-models' universal
/// sentence encoder) implements it in JavaScript, quirks included, so token ids match the package:
/// NFKC, a leading '▁' and every ASCII space replaced by '▁'; a trie of the vocabulary (reserved ids 0-5 left out)
/// matched over code points; a Viterbi pass that keeps, per end position, the last candidate whose score is at least
/// the best so far (or any candidate while the best is exactly 0), where an unmatched code point is the unknown id 0
/// with score 0; a back-trace that steps back by the UTF-16 length of each piece's vocabulary string; and runs of
/// unknown ids merged into one.
/// </summary>
/// <remarks>
/// Lone UTF-16 surrogates are replaced with U+FFFD before normalising (.NET cannot normalise them). Neither is in the
/// trie, so both become the unknown id 0, the same ids the package gives.
/// </remarks>
internal sealed class UnigramTokenizer
{
    private const int ReservedSymbols = 6;
    private const char Separator = '\u2581';

    // Trie over code points: node -> (code point -> child), flattened into one dictionary keyed by (node, code point).
    private readonly Dictionary<long, int> _children = new();
    private readonly List<int> _pieceOfNode = [-1];
    private readonly double[] _scores;
    private readonly int[] _utf16Lengths;
    private readonly int[] _codePointLengths;

    public UnigramTokenizer(IReadOnlyList<(string Piece, double Score)> vocabulary)
    {
        VocabularySize = vocabulary.Count;
        _scores = new double[vocabulary.Count];
        _utf16Lengths = new int[vocabulary.Count];
        _codePointLengths = new int[vocabulary.Count];
        for (int id = 0; id < vocabulary.Count; id++)
        {
            var (piece, score) = vocabulary[id];
            _scores[id] = score;
            _utf16Lengths[id] = piece.Length;
            if (id >= ReservedSymbols) Insert(piece, id);
        }
    }

    /// <summary>Number of ids (the embedding table's rows must cover them).</summary>
    public int VocabularySize { get; }

    /// <summary>
    /// Reads the package's vocab.json: an array of [piece, score] pairs indexed by id. A few scores are null (pieces
    /// with ':'); JavaScript adds null as 0, so they score 0 here too.
    /// </summary>
    public static UnigramTokenizer Load(string vocabJsonPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(vocabJsonPath));
        var vocabulary = document.RootElement.EnumerateArray()
            .Select(e => (e[0].GetString() ?? "", e[1].ValueKind == JsonValueKind.Number ? e[1].GetDouble() : 0d))
            .ToList();
        return new UnigramTokenizer(vocabulary);
    }

    /// <summary>The token ids of <paramref name="text"/> (null counts as empty; empty gives no ids).</summary>
    public int[] Encode(string? text)
    {
        var symbols = Symbols(Prepare(text ?? ""));
        int n = symbols.Length;
        if (n == 0) return [];
        var best = new double[n + 1];
        var words = new int[n + 1];
        // Candidates ending at each position, in the order JavaScript visits them: start position ascending.
        var ending = new List<(int Start, int Id, int Length, double Score)>?[n + 1];
        var matches = new List<(int Id, int Length)>();
        for (int i = 0; i < n; i++)
        {
            CommonPrefixSearch(symbols, i, matches);
            foreach (var (id, length) in matches)
                (ending[i + length] ??= []).Add((i, id, length, id == 0 ? 0d : _scores[id]));
        }
        for (int end = 0; end <= n; end++)
        {
            if (ending[end] is not { } candidates) continue;
            foreach (var (_, id, length, score) in candidates)
            {
                double total = score + best[end - length];
                if (best[end] == 0d || total >= best[end])
                {
                    best[end] = total;
                    words[end] = id;
                }
            }
        }
        var reversed = new List<int>();
        for (int at = n; at > 0; at -= _utf16Lengths[words[at]])
            reversed.Add(words[at]);
        var ids = new List<int>(reversed.Count);
        bool previousUnknown = false;
        foreach (var id in reversed)
        {
            if (!(previousUnknown && id == 0)) ids.Add(id);
            previousUnknown = id == 0;
        }
        ids.Reverse();
        return [.. ids];
    }

    /// <summary>Lone surrogates to U+FFFD, NFKC (ICU's, through string.Normalize), then '▁' before the text and in place
    /// of every ASCII space.</summary>
    internal static string Prepare(string text)
    {
        var normalized = ReplaceLoneSurrogates(text).Normalize(NormalizationForm.FormKC);
        return normalized.Length > 0 ? Separator + normalized.Replace(' ', Separator) : normalized;
    }

    internal static string ReplaceLoneSurrogates(string text)
    {
        StringBuilder? fixedText = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired) { fixedText?.Append(c).Append(text[i + 1]); i++; continue; }
            bool lone = char.IsSurrogate(c);
            if (lone && fixedText is null) fixedText = new StringBuilder(text.Length).Append(text, 0, i);
            fixedText?.Append(lone ? '\uFFFD' : c);
        }
        return fixedText?.ToString() ?? text;
    }

    private static int[] Symbols(string text)
    {
        var symbols = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes()) symbols.Add(rune.Value);
        return [.. symbols];
    }

    private void Insert(string piece, int id)
    {
        int node = 0;
        foreach (var rune in piece.EnumerateRunes())
        {
            long key = Key(node, rune.Value);
            if (!_children.TryGetValue(key, out var child))
            {
                child = _pieceOfNode.Count;
                _pieceOfNode.Add(-1);
                _children[key] = child;
            }
            node = child;
        }
        if (node != 0) _pieceOfNode[node] = id; // a later duplicate wins, as in the JavaScript trie
    }

    private void CommonPrefixSearch(int[] symbols, int start, List<(int Id, int Length)> matches)
    {
        matches.Clear();
        int node = 0;
        for (int i = start; i < symbols.Length && _children.TryGetValue(Key(node, symbols[i]), out node); i++)
            if (_pieceOfNode[node] >= 0) matches.Add((_pieceOfNode[node], i - start + 1));
        if (matches.Count == 0) matches.Add((0, 1));
    }

    private static long Key(int node, int codePoint) => ((long)node << 21) | (uint)codePoint;
}
