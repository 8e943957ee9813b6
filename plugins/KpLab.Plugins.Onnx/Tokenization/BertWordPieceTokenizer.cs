using System.Globalization;
using System.Buffers;
using System.Text;

namespace KpLab.Plugins.Onnx.Tokenization;

/// <summary>
/// BERT's tokenization as Hugging Face does it (BertNormalizer, BertPreTokenizer and WordPiece, i.e.
/// BertTokenizerFast, the tokenizer sentence-transformers uses): clean the text (drop NUL, U+FFFD and control
/// characters, map whitespace to spaces), isolate CJK ideographs, strip accents, lower-case, split on whitespace and
/// punctuation, then split each word greedily into the longest vocabulary pieces ("##" continuations); a word with no
/// such split, or longer than 100 characters, becomes [UNK]. Lone UTF-16 surrogates read as U+FFFD and are dropped
/// with it; null reads as empty.
/// <para>
/// Why KpLab keeps its own: the two WordPiece libraries NuGet serves were run on the 34 texts of
/// Fixtures/transformers (the all-MiniLM-L6-v2 / arctic-embed-xs vocabulary, Hugging Face tokenizers.js ids) and
/// neither is Hugging Face-exact. Microsoft.ML.Tokenizers 2.0.1 <c>BertTokenizer</c> (lower-casing, accent
/// stripping, basic tokenization and CJK splitting on) got 26 of 34: it drops words it cannot split instead of
/// emitting [UNK] (emoji vanish), drops "$" and "~" (symbols that BERT counts as punctuation), keeps zero-width and
/// soft-hyphen format characters (Cf) that BERT removes, so words split differently, and leaves Hangul syllables
/// undecomposed; it also refuses a token limit of 2, which empty texts need. FastBertTokenizer 1.2.6 got 32 of 34:
/// it splits a word longer than 100 characters into pieces where BERT emits a single [UNK].
/// </para>
/// </summary>
public sealed class BertWordPieceTokenizer
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordStarts;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;

    /// <summary>Creates a tokenizer over a vocabulary (token → id).</summary>
    public BertWordPieceTokenizer(IReadOnlyDictionary<string, int> vocabulary, BertTokenizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        VocabularySize = vocabulary.Count;
        var starts = new Dictionary<string, int>(StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabulary)
        {
            if (settings.ContinuationPrefix.Length > 0 && token.StartsWith(settings.ContinuationPrefix, StringComparison.Ordinal))
                continuations[token[settings.ContinuationPrefix.Length..]] = id;
            // A token that starts with the prefix can still begin a word (e.g. "##" itself is not a continuation).
            starts.TryAdd(token, id);
        }

        _wordStarts = starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = Special(vocabulary, settings.UnknownToken, "unknown");
        ClsId = Special(vocabulary, settings.ClsToken, "CLS");
        SepId = Special(vocabulary, settings.SepToken, "SEP");
        PadId = Special(vocabulary, settings.PadToken, "padding");
    }

    /// <summary>The normalisation settings.</summary>
    public BertTokenizerSettings Settings { get; }

    /// <summary>Number of tokens in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>Id of the unknown token.</summary>
    public int UnknownId { get; }

    /// <summary>Id of [CLS].</summary>
    public int ClsId { get; }

    /// <summary>Id of [SEP].</summary>
    public int SepId { get; }

    /// <summary>Id of [PAD].</summary>
    public int PadId { get; }

    /// <summary>
    /// The model input for <paramref name="text"/>: [CLS], at most <paramref name="maxLength"/> − 2 word pieces, [SEP].
    /// <paramref name="untruncatedLength"/> is the length it would have had without truncation.
    /// </summary>
    public int[] Encode(string? text, int maxLength, out int untruncatedLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var pieces = new List<int>();
        Tokenize(text, pieces);
        untruncatedLength = pieces.Count + 2;
        var kept = Math.Min(pieces.Count, maxLength - 2);
        var ids = new int[kept + 2];
        ids[0] = ClsId;
        for (var i = 0; i < kept; i++) ids[i + 1] = pieces[i];
        ids[kept + 1] = SepId;
        return ids;
    }

    /// <summary>Appends the word-piece ids of <paramref name="text"/> (no special tokens) to <paramref name="ids"/>.</summary>
    public void Tokenize(string? text, List<int> ids)
    {
        var normalized = Normalize(text ?? "");
        var span = normalized.AsSpan();
        var wordStart = -1;
        for (var i = 0; i < span.Length;)
        {
            Rune.DecodeFromUtf16(span[i..], out var rune, out var width);
            var space = UnicodeText.IsWhitespace(rune);
            if (space || UnicodeText.IsPunctuation(rune))
            {
                if (wordStart >= 0) AppendWordPieces(span[wordStart..i], ids);
                wordStart = -1;
                if (!space) AppendWordPieces(span.Slice(i, width), ids);
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }

            i += width;
        }

        if (wordStart >= 0) AppendWordPieces(span[wordStart..], ids);
    }

    /// <summary>BertNormalizer: clean, isolate CJK ideographs, strip accents, lower-case.</summary>
    internal string Normalize(string text)
    {
        var cleaned = new StringBuilder(text.Length + 8);
        foreach (var rune in EnumerateRunes(text))
        {
            if (rune.Value is 0 or 0xFFFD || UnicodeText.IsControl(rune)) continue;
            if (UnicodeText.IsWhitespace(rune)) cleaned.Append(' ');
            else if (Settings.ChineseCharacters && UnicodeText.IsChinese(rune.Value)) cleaned.Append(' ').Append(rune).Append(' ');
            else cleaned.Append(rune);
        }

        if (Settings.StripsAccents)
        {
            var stripped = new StringBuilder(cleaned.Length);
            // NFD, then drop the non-spacing marks (Mn), as Hugging Face's strip_accents does.
            foreach (var rune in EnumerateRunes(cleaned.ToString().Normalize(NormalizationForm.FormD)))
                if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) stripped.Append(rune);
            cleaned = stripped;
        }

        if (Settings.Lowercase)
        {
            var lowered = new StringBuilder(cleaned.Length);
            foreach (var rune in EnumerateRunes(cleaned.ToString())) UnicodeText.AppendLower(lowered, rune);
            cleaned = lowered;
        }

        return cleaned.ToString();
    }

    /// <summary>The text's characters; an unpaired surrogate reads as U+FFFD (which cleaning then drops).</summary>
    private static IEnumerable<Rune> EnumerateRunes(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var width);
            yield return status == OperationStatus.Done ? rune : Rune.ReplacementChar;
            i += Math.Max(width, 1);
        }
    }

    private void AppendWordPieces(ReadOnlySpan<char> word, List<int> ids)
    {
        if (CountRunes(word) > Settings.MaxInputCharsPerWord)
        {
            ids.Add(UnknownId);
            return;
        }

        var first = ids.Count;
        for (var start = 0; start < word.Length;)
        {
            var lookup = start == 0 ? _wordStarts : _continuations;
            var found = -1;
            var end = word.Length;
            for (; end > start; end--)
            {
                if (end < word.Length && char.IsLowSurrogate(word[end]) && char.IsHighSurrogate(word[end - 1])) continue;
                if (lookup.TryGetValue(word[start..end], out found)) break;
            }

            if (end == start)
            {
                ids.RemoveRange(first, ids.Count - first);
                ids.Add(UnknownId);
                return;
            }

            ids.Add(found);
            start = end;
        }
    }

    private static int CountRunes(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
            if (!(char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]))) count++;
        return count;
    }

    private static int Special(IReadOnlyDictionary<string, int> vocabulary, string token, string role) =>
        vocabulary.TryGetValue(token, out var id)
            ? id
            : throw new InvalidDataException($"onnx: the vocabulary has no {role} token '{token}'.");
}
