namespace KpLab.Plugins.Onnx.Tokenization;

/// <summary>How a BERT tokenizer normalises text and names its special tokens (Hugging Face's defaults).</summary>
public sealed record BertTokenizerSettings
{
    /// <summary>Lower-case the text (<c>do_lower_case</c> / BertNormalizer <c>lowercase</c>).</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Strip accents (NFD, drop Mn); null follows <see cref="Lowercase"/>, as in Hugging Face.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Put spaces around CJK ideographs so each is a word (<c>tokenize_chinese_chars</c>).</summary>
    public bool ChineseCharacters { get; init; } = true;

    /// <summary>Words longer than this many characters (code points) become the unknown token.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    /// <summary>The prefix of word-continuation pieces.</summary>
    public string ContinuationPrefix { get; init; } = "##";

    /// <summary>The unknown token.</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>The token that starts every sequence.</summary>
    public string ClsToken { get; init; } = "[CLS]";

    /// <summary>The token that ends every sequence.</summary>
    public string SepToken { get; init; } = "[SEP]";

    /// <summary>The padding token.</summary>
    public string PadToken { get; init; } = "[PAD]";

    /// <summary>Whether accents are stripped, resolving the null default.</summary>
    public bool StripsAccents => StripAccents ?? Lowercase;
}
