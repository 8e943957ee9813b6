using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Hosting;
using Xunit.Abstractions;

namespace KpLab.Plugins.Onnx.Tests;

public sealed class OnnxEmbedderTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;
    private static readonly JsonElement Expected = FixtureFiles.Json("embeddings.json");
    private static readonly string TinyBert = FixtureFiles.Path("tiny-bert");

    private static readonly string[] Texts =
        Expected.GetProperty("texts").EnumerateArray().Select(t => t.GetProperty("text").GetString()!).ToArray();

    private static OnnxEmbedder Create(OnnxEmbedderOptions options, List<string>? log = null) =>
        new(options, new PluginContext(new RandomSource(0)) { Threads = 1, Log = m => log?.Add(m) });

    private static float MaxAbsDifference(EmbeddingMatrix actual, string key)
    {
        var worst = 0f;
        var i = 0;
        foreach (var t in Expected.GetProperty("texts").EnumerateArray())
        {
            var expected = FixtureFiles.Floats(t.GetProperty(key));
            Assert.Equal(expected.Length, actual.Columns);
            for (var j = 0; j < expected.Length; j++) worst = Math.Max(worst, Math.Abs(expected[j] - actual[i, j]));
            i++;
        }

        return worst;
    }

    [Theory]
    [InlineData(Pooling.Mean, true, "meanNormalized")]
    [InlineData(Pooling.Mean, false, "mean")]
    [InlineData(Pooling.Cls, true, "clsNormalized")]
    [InlineData(Pooling.Cls, false, "cls")]
    [InlineData(Pooling.Max, true, "maxNormalized")]
    [InlineData(Pooling.Max, false, "max")]
    public void SentenceVectorsMatchNumPyReference(Pooling pooling, bool normalize, string key)
    {
        // Batch size 4 mixes padded and unpadded rows, sorted by length.
        using var embedder = Create(new OnnxEmbedderOptions { Model = TinyBert, Pooling = pooling, Normalize = normalize, BatchSize = 4 });
        var vectors = embedder.Embed(Texts);
        Assert.Equal(Texts.Length, vectors.Rows);
        Assert.Equal(32, embedder.Dimension);
        var difference = MaxAbsDifference(vectors, key);
        output.WriteLine($"{key}: max abs difference vs NumPy {difference:E2}");
        Assert.InRange(difference, 0f, Tolerance);
    }

    [Fact]
    public void BatchSizeAndTokenBudgetDoNotChangeVectors()
    {
        using var one = Create(new OnnxEmbedderOptions { Model = TinyBert, BatchSize = 1 });
        using var all = Create(new OnnxEmbedderOptions { Model = TinyBert, BatchSize = 64 });
        using var budget = Create(new OnnxEmbedderOptions { Model = TinyBert, TokenBudget = 40 });
        var a = one.Embed(Texts);
        var b = all.Embed(Texts);
        var c = budget.Embed(Texts);
        for (var i = 0; i < a.Values.Length; i++)
        {
            Assert.Equal(a.Values[i], b.Values[i], 1e-5f);
            Assert.Equal(a.Values[i], c.Values[i], 1e-5f);
        }

        Assert.Equal(Texts.Length, one.Statistics.Batches);
        Assert.Equal(1, all.Statistics.Batches);
        // Sorted lengths 24, 20, ... : each batch holds as many texts as fit 40 padded tokens.
        var lengths = Texts.Select(t => one.Tokenizer.Encode(t, one.MaxLength, out _).Length).OrderDescending().ToArray();
        var expected = 0;
        for (var start = 0; start < lengths.Length; expected++) start += Math.Max(1, Math.Min(lengths.Length - start, 40 / lengths[start]));
        Assert.Equal(expected, budget.Statistics.Batches);
        Assert.InRange(budget.Statistics.Batches, 3, Texts.Length - 1);
    }

    [Fact]
    public void FolderWithoutPoolingConfigIsRefusedNamingTheChoices()
    {
        var folder = FixtureFiles.CopyOfTinyBert();
        Directory.Delete(Path.Combine(folder, "1_Pooling"), recursive: true);
        var error = Assert.Throws<PluginOptionException>(() => Create(new OnnxEmbedderOptions { Model = folder }));
        Assert.Equal("pooling", error.Option);
        Assert.Contains("1_Pooling/config.json", error.Message);
        Assert.Contains("mean, cls or max", error.Message);
        using var explicitMean = Create(new OnnxEmbedderOptions { Model = folder, Pooling = Pooling.Mean });
        Assert.InRange(MaxAbsDifference(explicitMean.Embed(Texts), "meanNormalized"), 0f, Tolerance);
    }

    [Fact]
    public void ModulesJsonDecidesNormalizationUnlessTheOptionDoes()
    {
        var folder = FixtureFiles.CopyOfTinyBert();
        File.WriteAllText(Path.Combine(folder, "modules.json"),
            """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]""");
        using var raw = Create(new OnnxEmbedderOptions { Model = folder });
        Assert.False(raw.Normalize);
        Assert.InRange(MaxAbsDifference(raw.Embed(Texts), "mean"), 0f, Tolerance);
        using var forced = Create(new OnnxEmbedderOptions { Model = folder, Normalize = true });
        Assert.InRange(MaxAbsDifference(forced.Embed(Texts), "meanNormalized"), 0f, Tolerance);
    }

    [Fact]
    public void AutoPoolingReadsPoolingConfigAndNamedOutputIsPooled()
    {
        using var embedder = Create(new OnnxEmbedderOptions { Model = TinyBert, OutputName = "layer1_hidden_state" });
        Assert.Equal(Pooling.Mean, embedder.PoolingMode);
        Assert.InRange(MaxAbsDifference(embedder.Embed(Texts), "layer1MeanNormalized"), 0f, Tolerance);
    }

    [Fact]
    public void PoolingConfigSelectsClsWhenAuto()
    {
        var folder = FixtureFiles.CopyOfTinyBert();
        File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"),
            """{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false, "pooling_mode_max_tokens": false}""");
        using var embedder = Create(new OnnxEmbedderOptions { Model = folder });
        Assert.Equal(Pooling.Cls, embedder.PoolingMode);
        Assert.InRange(MaxAbsDifference(embedder.Embed(Texts), "clsNormalized"), 0f, Tolerance);
    }

    [Fact]
    public void TruncationIsCountedLoggedAndReported()
    {
        var log = new List<string>();
        using var embedder = Create(new OnnxEmbedderOptions { Model = TinyBert }, log);
        Assert.Equal(Expected.GetProperty("maxLength").GetInt32(), embedder.MaxLength);
        var vectors = embedder.Embed(Texts);
        var truncated = Expected.GetProperty("texts").EnumerateArray()
            .Count(t => t.GetProperty("ids").GetArrayLength() == embedder.MaxLength);
        Assert.Equal(1, truncated);
        Assert.Equal(1, embedder.Statistics.TruncatedTexts);
        Assert.Contains(log, m => m.Contains("truncated 1 of 9 texts to 24 tokens"));
        Assert.Equal(Texts.Length, vectors.Rows);
    }

    [Fact]
    public void NullEmptyAndWhitespaceTextsGetTheClsSepVector()
    {
        using var embedder = Create(new OnnxEmbedderOptions { Model = TinyBert });
        var vectors = embedder.Embed([null, "", " \t\n", "salt"]);
        var empty = FixtureFiles.Floats(Expected.GetProperty("texts")[2].GetProperty("meanNormalized"));
        for (var row = 0; row < 3; row++)
            for (var j = 0; j < empty.Length; j++) Assert.Equal(empty[j], vectors[row, j], Tolerance);
        Assert.NotEqual(vectors[0, 0], vectors[3, 0]);
        Assert.Equal(9, embedder.Statistics.Tokens);
    }

    [Fact]
    public void TokenizerJsonFlagsAreRead()
    {
        var folder = FixtureFiles.CopyOfTinyBert();
        File.Delete(Path.Combine(folder, "vocab.txt"));
        File.Copy(FixtureFiles.Path("tokenizer-json", "tokenizer.json"), Path.Combine(folder, "tokenizer.json"));
        using var embedder = Create(new OnnxEmbedderOptions { Model = folder });
        var cases = FixtureFiles.Json("tokenizer_cases.json").GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "accents");
        var text = FixtureFiles.FromUtf16(cases.GetProperty("utf16"));
        Assert.Equal(FixtureFiles.Ints(cases.GetProperty("cased")), embedder.Tokenizer.Encode(text, 24, out _));
    }

    [Fact]
    public void IdentityIsContentPoolingNormalizationAndLengthNotPath()
    {
        using var a = Create(new OnnxEmbedderOptions { Model = TinyBert });
        using var b = Create(new OnnxEmbedderOptions { Model = TinyBert, Pooling = Pooling.Max, Normalize = false, MaxLength = 16 });
        Assert.Matches("^onnx/[0-9a-f]{16}/mean/normalized/24$", a.Identity);
        Assert.Matches("^onnx/[0-9a-f]{16}/max/raw/16$", b.Identity);
        // A copy under another folder name is the same model; each file that decides the vectors changes it.
        using var moved = Create(new OnnxEmbedderOptions { Model = FixtureFiles.CopyOfTinyBert("renamed-model") });
        Assert.Equal(a.Identity, moved.Identity);
        foreach (var file in new[] { "vocab.txt", "tokenizer_config.json", Path.Combine("1_Pooling", "config.json") })
        {
            var changed = FixtureFiles.CopyOfTinyBert();
            File.AppendAllText(Path.Combine(changed, file), "\n");
            using var c = Create(new OnnxEmbedderOptions { Model = changed });
            Assert.NotEqual(a.Identity.Split('/')[1], c.Identity.Split('/')[1]);
        }
    }

    [Fact]
    public void UnexpectedInputIsNamed()
    {
        var folder = FixtureFiles.CopyOfTinyBert();
        File.Copy(FixtureFiles.Path("unexpected-input.onnx"), Path.Combine(folder, "model.onnx"), overwrite: true);
        var error = Assert.Throws<NotSupportedException>(() => Create(new OnnxEmbedderOptions { Model = folder }));
        Assert.Contains("'pixel_values'", error.Message);
    }

    [Fact]
    public void CorruptModelGivesRuntimeError()
    {
        var folder = FixtureFiles.CopyOfTinyBert();
        File.Copy(FixtureFiles.Path("truncated.onnx"), Path.Combine(folder, "model.onnx"), overwrite: true);
        var error = Assert.Throws<InvalidDataException>(() => Create(new OnnxEmbedderOptions { Model = folder }));
        Assert.Contains("failed to load the model", error.Message);
        Assert.Contains(Path.Combine(folder, "model.onnx"), error.Message);
    }

    [Fact]
    public void UnknownOutputNameAndBadOptionsAreRejected()
    {
        Assert.Contains("no output 'pooler'",
            Assert.Throws<ArgumentException>(() => Create(new OnnxEmbedderOptions { Model = TinyBert, OutputName = "pooler" })).Message);
        Assert.Equal("batchSize", Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<OnnxEmbedderOptions>(new OnnxEmbedderOptions { Model = TinyBert, BatchSize = 0 }, "onnx")).Option);
        Assert.Equal("tokenBudget", Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<OnnxEmbedderOptions>(new OnnxEmbedderOptions { Model = TinyBert, TokenBudget = 1 }, "onnx")).Option);
        Assert.Equal("maxLength", Assert.Throws<PluginOptionException>(() => Create(new OnnxEmbedderOptions { Model = TinyBert, MaxLength = 65 })).Option);
        Assert.Equal("model", Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<OnnxEmbedderOptions>(null, "onnx")).Option);
    }

    [Fact]
    public void EmptyInputGivesEmptyMatrix()
    {
        using var embedder = Create(new OnnxEmbedderOptions { Model = TinyBert });
        var vectors = embedder.Embed([]);
        Assert.Equal(0, vectors.Rows);
        Assert.Equal(32, vectors.Columns);
    }
}
