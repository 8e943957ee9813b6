using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Plugins.Onnx.Tokenization;

namespace KpLab.Plugins.Onnx;

/// <summary>
/// A sentence-transformers style model folder exported to ONNX: <c>model.onnx</c>, the tokenizer
/// (<c>tokenizer.json</c>, else <c>vocab.txt</c> + <c>tokenizer_config.json</c>), and the optional
/// <c>1_Pooling/config.json</c>, <c>sentence_bert_config.json</c>, <c>modules.json</c> and <c>config.json</c>.
/// Its identity is its content: a SHA-256 over every file that changes the vectors, never its path.
/// </summary>
internal sealed class SentenceModelFolder
{
    private SentenceModelFolder(string path, string modelPath, BertWordPieceTokenizer tokenizer, Pooling? pooling,
        int defaultMaxLength, int? maxPositions, int? hiddenSize, bool? configuredNormalize, bool lowercaseFirst, string contentHash)
    {
        ConfiguredNormalize = configuredNormalize;
        LowercaseFirst = lowercaseFirst;
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

    /// <summary>Whether modules.json lists a Normalize module; null without modules.json.</summary>
    public bool? ConfiguredNormalize { get; }

    /// <summary>sentence_bert_config.json's do_lower_case: sentence-transformers lower-cases the text before the
    /// tokenizer sees it.</summary>
    public bool LowercaseFirst { get; }

    /// <summary>SHA-256 (lower-case hex) of the files that decide the vectors: model.onnx, the tokenizer files and the
    /// pooling, sentence-transformers and module configuration (each by its name in the folder and its bytes).</summary>
    public string ContentHash { get; }

    /// <summary>The files whose bytes make <see cref="ContentHash"/>, when present.</summary>
    private static readonly string[] IdentityFiles =
    [
        "model.onnx", "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
        System.IO.Path.Combine("1_Pooling", "config.json"), "sentence_bert_config.json", "modules.json",
    ];

    /// <summary>
    /// What tells this folder's files apart from an earlier read of them within the process (full path, sizes and
    /// modification times), so the content hash of a large model is computed once per process, not per embedder.
    /// </summary>
    public static string Stamp(string folder)
    {
        var path = System.IO.Path.GetFullPath(folder);
        var stamp = new System.Text.StringBuilder(path);
        foreach (var name in IdentityFiles)
        {
            var file = new FileInfo(System.IO.Path.Combine(path, name));
            stamp.Append('|').Append(name);
            if (file.Exists) stamp.Append(':').Append(file.Length).Append(':').Append(file.LastWriteTimeUtc.Ticks);
        }

        return stamp.ToString();
    }

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
        if (File.Exists(tokenizerJsonPath))
            (vocabulary, settings) = ReadTokenizerJson(tokenizerJsonPath, settings);
        else if (File.Exists(vocabPath))
            vocabulary = ReadVocabTxt(vocabPath);
        else
            throw new FileNotFoundException($"onnx: the model folder '{path}' has neither tokenizer.json nor vocab.txt.");

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
            ReadPooling(path), defaultMaxLength, maxPositions, Int(modelConfig, "hidden_size"), ReadNormalize(path),
            Bool(sentenceConfig, "do_lower_case") == true, Hash(path));
    }

    /// <summary>Whether modules.json lists sentence_transformers.models.Normalize; null without modules.json.</summary>
    private static bool? ReadNormalize(string folder)
    {
        var file = System.IO.Path.Combine(folder, "modules.json");
        if (!File.Exists(file)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"onnx: '{file}' must be a JSON array of modules.");
            return document.RootElement.EnumerateArray()
                .Any(module => Str(module, "type") is { } type && type.EndsWith(".Normalize", StringComparison.Ordinal));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"onnx: '{file}' is not valid JSON: {e.Message}", e);
        }
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

    private static string Hash(string folder) => KpLab.Abstractions.ContentHash.OfFiles(
        IdentityFiles.Select(name => System.IO.Path.Combine(folder, name)).Where(File.Exists));

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
