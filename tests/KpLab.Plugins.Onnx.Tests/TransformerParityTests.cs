using System.Text.Json;
using KpLab.Abstractions;
using Xunit.Abstractions;

namespace KpLab.Plugins.Onnx.Tests;

/// <summary>
/// The minilm and arctic-xs presets (models fetched by scripts/setup into the KpLab cache) against reference vectors
/// made by an independent implementation: Hugging Face's tokenizers.js (@huggingface/tokenizers 0.2.0) and
/// onnxruntime-node 1.30.0, one text per run, pooled in float64 (Fixtures/transformers/make_references.mjs).
/// The texts cover empty and whitespace-only input, accents, ligatures, full-width forms, CJK, emoji, control
/// characters, an over-long word and a text longer than either model's maximum length.
/// </summary>
public sealed class TransformerParityTests(ITestOutputHelper output)
{
    private const float Tolerance = 2e-5f;

    public static TheoryData<string> Models => new() { "minilm", "arctic-xs" };

    private static JsonElement Reference(string model) => FixtureFiles.Json(Path.Combine("transformers", $"{model}.json"));

    private static IEmbedder Create(string model, List<string> log) =>
        PluginFactory(model, new SentenceEncoderOptions { Threads = 1 },
            new PluginContext(new RandomSource(0)) { Threads = 1, Log = log.Add });

    private static IEmbedder PluginFactory(string model, SentenceEncoderOptions options, PluginContext context) => model switch
    {
        "minilm" => new MiniLmEmbedder(options, context),
        _ => new ArcticXsEmbedder(options, context),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void TokenIdsAndVectorsMatchTheIndependentReference(string model)
    {
        var reference = Reference(model);
        var cases = reference.GetProperty("texts").EnumerateArray().ToArray();
        var texts = cases.Select(c => c.GetProperty("text").GetString()).ToArray();
        var log = new List<string>();
        var embedder = Create(model, log);
        var vectors = embedder.Embed(texts);
        Assert.Equal(384, vectors.Columns);

        var tokenizer = new OnnxEmbedder(new OnnxEmbedderOptions
        {
            Model = Path.Combine(PluginContext.DefaultCacheDirectory(), "models", model),
        }, new PluginContext(new RandomSource(0)) { Threads = 1 });
        var maxLength = reference.GetProperty("maxLength").GetInt32();
        Assert.Equal(maxLength, tokenizer.MaxLength);
        var worst = 0f;
        for (var i = 0; i < cases.Length; i++)
        {
            var name = cases[i].GetProperty("name").GetString();
            Assert.True(FixtureFiles.Ints(cases[i].GetProperty("ids")).SequenceEqual(tokenizer.Tokenizer.Encode(texts[i], maxLength, out _)),
                $"{model}: token ids differ for '{name}'");
            var expected = FixtureFiles.Floats(cases[i].GetProperty("vector"));
            for (var j = 0; j < expected.Length; j++)
            {
                var difference = Math.Abs(expected[j] - vectors[i, j]);
                worst = Math.Max(worst, difference);
                Assert.True(difference <= Tolerance, $"{model}: '{name}' dimension {j}: {vectors[i, j]} vs reference {expected[j]}");
            }
        }

        output.WriteLine($"{model}: {cases.Length} texts, max abs difference vs tokenizers.js + onnxruntime-node {worst:E2}");
        // One text is longer than the maximum length: counted and logged for the run record.
        var truncated = cases.Count(c => c.GetProperty("untruncatedLength").GetInt32() > maxLength);
        Assert.Equal(1, truncated);
        Assert.Contains(log, m => m.Contains($"truncated 1 of {cases.Length} texts to {maxLength} tokens"));
    }

    [Fact]
    public void MiniLmReproducesTheModelCardNumbers()
    {
        var embedder = Create("minilm", []);
        var v = embedder.Embed(["hello world", "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]);
        // all-MiniLM-L6-v2 in sentence-transformers: "hello world" starts so, and its README's similarity example.
        float[] hello = [-0.034477f, 0.031023f, 0.006735f, 0.026109f, -0.039362f];
        for (var j = 0; j < hello.Length; j++) Assert.Equal(hello[j], v[0, j], 1e-5f);
        Assert.Equal(0.6660, Cosine(v, 1, 2), 4);
        Assert.Equal(0.1046, Cosine(v, 1, 3), 4);
        Assert.Equal(0.1411, Cosine(v, 2, 3), 4);
    }

    [Fact]
    public void ArcticXsUsesClsPoolingAndReproducesItsHelloWorld()
    {
        var embedder = Create("arctic-xs", []);
        var v = embedder.Embed(["hello world"]);
        float[] hello = [0.0093f, 0.0620f, 0.0196f, 0.0091f, -0.0114f];
        for (var j = 0; j < hello.Length; j++) Assert.Equal(hello[j], v[0, j], 1e-4f);
        Assert.StartsWith("arctic-xs/onnx/", embedder.Identity);
        Assert.Contains("/cls/normalized/512", embedder.Identity);
    }

    private static double Cosine(EmbeddingMatrix v, int a, int b)
    {
        double dot = 0;
        for (var j = 0; j < v.Columns; j++) dot += (double)v[a, j] * v[b, j];
        return dot;
    }
}
