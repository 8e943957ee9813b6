using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Plugins.Onnx;

// Sentences per second of the onnx embedder on a CSV column. A macro benchmark (seconds per run), so a stopwatch over
// whole Embed calls rather than BenchmarkDotNet's many iterations; the machine is shared, so only ratios measured in
// the same run mean anything.
//   batching <model> <csv> <column> <limit> <threads> <repeats> [budget,...]
//       token-budget batches (today's default, or each budget listed) against fixed batches of 32 texts (the previous
//       default), alternately, after a warm-up of each; checks that all give the same vectors.
//   once <model> <csv> <column> <limit> <threads> <ids.json>
//       one timed Embed with the defaults after a warm-up; writes the token ids of each batch it fed to ids.json, for
//       ort-node.mjs to run the very same batches on onnxruntime-node.
if (args.Length < 6)
{
    Console.Error.WriteLine("usage: KpLab.Onnx.Benchmarks batching|once <model folder> <csv> <column> <limit> <threads> <repeats|ids.json>");
    return 2;
}

var (mode, model, threads) = (args[0], args[1], int.Parse(args[5], CultureInfo.InvariantCulture));
var table = CsvTable.Load(args[2]);
var column = table.ColumnIndex(args[3]);
var texts = table.Records.Take(int.Parse(args[4], CultureInfo.InvariantCulture)).Select(r => (string?)r.Fields[column]).ToArray();
var context = new PluginContext(new RandomSource(0)) { Threads = threads };
OnnxEmbedder Create(int batchSize, int tokenBudget) =>
    new(new OnnxEmbedderOptions { Model = model, Threads = threads, BatchSize = batchSize, TokenBudget = tokenBudget }, context);
var name = Path.GetFileName(Path.GetFullPath(model));

if (mode == "once")
{
    var embedder = Create(new OnnxEmbedderOptions().BatchSize, OnnxEmbedderOptions.DefaultTokenBudget);
    embedder.Embed(texts.Take(64).ToArray()); // warm-up: session, arena, code paths
    var clock = Stopwatch.StartNew();
    embedder.Embed(texts);
    var seconds = clock.Elapsed.TotalSeconds;
    File.WriteAllText(args[6], JsonSerializer.Serialize(Batches(embedder)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"engine\": \"kplab (Microsoft.ML.OnnxRuntime)\", \"model\": \"{name}\", \"threads\": {threads}, \"texts\": {texts.Length}, \"seconds\": {seconds:F3}, \"sentences_per_second\": {texts.Length / seconds:F1}}}"));
    return 0;
}

var repeats = int.Parse(args[6], CultureInfo.InvariantCulture);
var budgets = args.Length > 7 ? args[7].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray() : [OnnxEmbedderOptions.DefaultTokenBudget];
var variants = budgets
    .Select(b => (Name: $"token budget {b}{(b == OnnxEmbedderOptions.DefaultTokenBudget ? " (default)" : "")}", Embedder: Create(new OnnxEmbedderOptions().BatchSize, b)))
    .Append((Name: "fixed 32 texts (previous default)", Embedder: Create(32, int.MaxValue)))
    .ToArray();
var fixed32 = variants.Length - 1;
var best = new double[variants.Length];
var vectors = new EmbeddingMatrix[variants.Length];
for (var v = 0; v < variants.Length; v++)
{
    variants[v].Embedder.Embed(texts.Take(64).ToArray());
    best[v] = double.MaxValue;
}

for (var r = 0; r < repeats; r++)
    for (var v = 0; v < variants.Length; v++)
    {
        var clock = Stopwatch.StartNew();
        vectors[v] = variants[v].Embedder.Embed(texts);
        best[v] = Math.Min(best[v], clock.Elapsed.TotalSeconds);
    }

var difference = 0f;
for (var v = 0; v < fixed32; v++)
    for (var i = 0; i < vectors[v].Values.Length; i++) difference = Math.Max(difference, Math.Abs(vectors[v].Values[i] - vectors[fixed32].Values[i]));
for (var v = 0; v < variants.Length; v++)
{
    var s = variants[v].Embedder.Statistics;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"model\": \"{name}\", \"batching\": \"{variants[v].Name}\", \"threads\": {threads}, \"texts\": {texts.Length}, \"seconds_min\": {best[v]:F3}, " +
        $"\"sentences_per_second\": {texts.Length / best[v]:F1}, \"tokens\": {s.Tokens}, \"padding\": {s.PaddingTokens}, \"batches\": {s.Batches}}}"));
}

for (var v = 0; v < fixed32; v++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"model\": \"{name}\", \"batching\": \"{variants[v].Name}\", \"speedup_vs_fixed_32\": {best[fixed32] / best[v]:F2}}}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"model\": \"{name}\", \"max_abs_vector_difference_vs_fixed_32\": {difference:E2}}}"));
return 0;

// The batches the default embedder feeds (same order and grouping as OnnxEmbedder: longest first, token budget).
int[][][] Batches(OnnxEmbedder embedder)
{
    var options = new OnnxEmbedderOptions();
    var encoded = texts.Select(t => embedder.Tokenizer.Encode(t, embedder.MaxLength, out _)).OrderByDescending(ids => ids.Length).ToArray();
    var batches = new List<int[][]>();
    for (var start = 0; start < encoded.Length;)
    {
        var count = Math.Max(1, Math.Min(Math.Min(encoded.Length - start, options.BatchSize), options.TokenBudget / encoded[start].Length));
        batches.Add(encoded[start..(start + count)]);
        start += count;
    }

    return [.. batches];
}
