using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Plugins.Onnx.Tokenization;

namespace KpLab.Plugins.Onnx;

/// <summary>
/// A sentence-transformers style model folder exported to ONNX: <c>model.onnx</c>, the tokenizer
/// (<c>tokenizer.json</c>, else <c>vocab.txt</c> + <c>tokenizer_config.json</c>), and the optional
/// <c>1_Pooling/config.json</c>, <c>sentence_bert_config.json</c> and <c>config.json</c>.
/// </summary>
internal sealed class SentenceModelFolder
{
    private SentenceModelFolder(string path, string modelPath, BertWordPieceTokenizer tokenizer, Pooling? pooling,
        int defaultMaxLength, int? maxPositions, int? hiddenSize, string contentHash)
    {
        Path = path;
        ModelPath = modelPath;
        Tokenizer = tokenizer;
        ConfiguredPooling = pooling;
        DefaultMaxLength = defaultMaxLength;
        MaxPositions = maxPositions;
        HiddenSize = hiddenSize;
        ContentHash = contentHash;
    }

    public string Path { get; }
    public string ModelPath { get; }
    public BertWordPieceTokenizer Tokenizer { get; }

    /// <summary>The pooling of 1_Pooling/config.json, or null without one.</summary>
    public Pooling? ConfiguredPooling { get; }

    /// <summary>sentence_bert_config.json's max_seq_length, else min(model_max_length, max_position_embeddings), else 512.</summary>
    public int DefaultMaxLength { get; }

    /// <summary>config.json's max_position_embeddings.</summary>
    public int? MaxPositions { get; }

    /// <summary>config.json's hidden_size.</summary>
    public int? HiddenSize { get; }

    /// <summary>SHA-256 of model.onnx and the tokenizer files (names and bytes), first 12 hex digits.</summary>
    public string ContentHash { get; }

    public static SentenceModelFolder Open(string folder)
    {
        var path = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"onnx: the model folder '{path}' does not exist.");
        var modelPath = System.IO.Path.Combine(path, "model.onnx");
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"onnx: the model folder '{path}' has no model.onnx.", modelPath);

        var tokenizerConfig = ReadJson(path, "tokenizer_config.json");
        var modelConfig = ReadJson(path, "config.json");
        var sentenceConfig = ReadJson(path, "sentence_bert_config.json");
        var tokenizerJsonPath = System.IO.Path.Combine(path, "tokenizer.json");
        var vocabPath = System.IO.Path.Combine(path, "vocab.txt");

        var settings = new BertTokenizerSettings
        {
            Lowercase = Bool(tokenizerConfig, "do_lower_case") ?? true,
            StripAccents = Bool(tokenizerConfig, "strip_accents"),
            ChineseCharacters = Bool(tokenizerConfig, "tokenize_chinese_chars") ?? true,
            UnknownToken = Token(tokenizerConfig, "unk_token") ?? "[UNK]",
            ClsToken = Token(tokenizerConfig, "cls_token") ?? "[CLS]",
            SepToken = Token(tokenizerConfig, "sep_token") ?? "[SEP]",
            PadToken = Token(tokenizerConfig, "pad_token") ?? "[PAD]",
        };
        IReadOnlyDictionary<string, int> vocabulary;
        var hashed = new List<string> { modelPath };
        if (File.Exists(tokenizerJsonPath))
        {
            (vocabulary, settings) = ReadTokenizerJson(tokenizerJsonPath, settings);
            hashed.Add(tokenizerJsonPath);
        }
        else if (File.Exists(vocabPath))
        {
            vocabulary = ReadVocabTxt(vocabPath);
            hashed.Add(vocabPath);
        }
        else
        {
            throw new FileNotFoundException($"onnx: the model folder '{path}' has neither tokenizer.json nor vocab.txt.");
        }

        var tokenizerConfigPath = System.IO.Path.Combine(path, "tokenizer_config.json");
        if (File.Exists(tokenizerConfigPath)) hashed.Add(tokenizerConfigPath);

        var maxPositions = Int(modelConfig, "max_position_embeddings");
        var modelMaxLength = Int(tokenizerConfig, "model_max_length") is { } m and > 0 and <= 1_000_000 ? m : (int?)null;
        var defaultMaxLength = Int(sentenceConfig, "max_seq_length")
            ?? (modelMaxLength, maxPositions) switch
            {
                ({ } a, { } b) => Math.Min(a, b),
                ({ } a, null) => a,
                (null, { } b) => b,
                _ => 512,
            };

        return new SentenceModelFolder(path, modelPath, new BertWordPieceTokenizer(vocabulary, settings),
            ReadPooling(path), defaultMaxLength, maxPositions, Int(modelConfig, "hidden_size"), Hash(hashed));
    }

    private static Pooling? ReadPooling(string folder)
    {
        var config = ReadJson(folder, System.IO.Path.Combine("1_Pooling", "config.json"));
        if (config is null) return null;
        var modes = new List<Pooling>();
        if (Bool(config, "pooling_mode_cls_token") == true) modes.Add(Pooling.Cls);
        if (Bool(config, "pooling_mode_mean_tokens") == true) modes.Add(Pooling.Mean);
        if (Bool(config, "pooling_mode_max_tokens") == true) modes.Add(Pooling.Max);
        foreach (var unsupported in new[] { "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken" })
            if (Bool(config, unsupported) == true)
                throw new NotSupportedException($"onnx: 1_Pooling/config.json in '{folder}' asks for {unsupported}, which is not supported (mean, cls, max are).");
        if (modes.Count > 1)
            throw new NotSupportedException($"onnx: 1_Pooling/config.json in '{folder}' combines {string.Join(", ", modes)} pooling; set the pooling option to one of them.");
        return modes.Count == 1 ? modes[0] : null;
    }

    private static (IReadOnlyDictionary<string, int>, BertTokenizerSettings) ReadTokenizerJson(string file, BertTokenizerSettings settings)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"onnx: '{file}' has no model section.");
        if (model.TryGetProperty("type", out var type) && type.GetString() is { } name && name != "WordPiece")
            throw new NotSupportedException($"onnx: '{file}' uses a {name} tokenizer; only WordPiece (BERT family) is supported.");
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"onnx: '{file}' has no WordPiece vocabulary (model.vocab).");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();

        settings = settings with
        {
            UnknownToken = Str(model, "unk_token") ?? settings.UnknownToken,
            ContinuationPrefix = Str(model, "continuing_subword_prefix") ?? settings.ContinuationPrefix,
            MaxInputCharsPerWord = Int(model, "max_input_chars_per_word") ?? settings.MaxInputCharsPerWord,
        };
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object)
        {
            if (Str(normalizer, "type") is { } kind && kind != "BertNormalizer")
                throw new NotSupportedException($"onnx: '{file}' uses a {kind} normalizer; only BertNormalizer is supported.");
            settings = settings with
            {
                Lowercase = Bool(normalizer, "lowercase") ?? true,
                StripAccents = Bool(normalizer, "strip_accents"),
                ChineseCharacters = Bool(normalizer, "handle_chinese_chars") ?? true,
            };
        }

        return (vocabulary, settings);
    }

    private static Dictionary<string, int> ReadVocabTxt(string file)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var line in File.ReadLines(file))
            vocabulary.TryAdd(line.TrimEnd('\r'), index++); // the first occurrence wins, as the line index is the id
        return vocabulary;
    }

    private static string Hash(IEnumerable<string> files) => KpLab.Abstractions.ContentHash.OfFiles(files)[..12];

    private static JsonElement? ReadJson(string folder, string name)
    {
        var file = System.IO.Path.Combine(folder, name);
        if (!File.Exists(file)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"onnx: '{file}' is not valid JSON: {e.Message}", e);
        }
    }

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    private static bool? Bool(JsonElement? element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    private static int? Int(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) && n is >= 0 and <= int.MaxValue ? (int)n : null;

    private static string? Str(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    /// <summary>A special token, written as a string or as an AddedToken object with "content".</summary>
    private static string? Token(JsonElement? element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Object } v => Str(v, "content"),
        _ => null,
    };
}
