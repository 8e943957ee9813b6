using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Plugins.Onnx;

// Sentences per second of the onnx embedder on a CSV column. A macro benchmark (seconds per run), so a stopwatch over
// whole Embed calls rather than BenchmarkDotNet's many iterations; the machine is shared, so only ratios measured in
// the same run mean anything. Each line also gives the process CPU time (one intra-op thread: the work done, much less
// sensitive than wall time to other processes taking the cores; cache contention still shows).
//   batching <model> <csv> <column> <limit> <threads> <repeats> [budget,...]
//       token-budget batches (today's default, or each budget listed) against fixed batches of 32 texts, alternately,
//       after a warm-up of each; checks that all give the same vectors. Two fixed-32 baselines: length-sorted (the
//       default when issue 13 was filed: OnnxEmbedder sorted longest first since its first commit, cde317e) and input
//       order (each run of 32 consecutive texts embedded as one call, padded to its longest).
//   once <model> <csv> <column> <limit> <threads> <ids.json>
//       one timed Embed with the defaults after a warm-up (end to end: tokenization, batching, runs, pooling); writes
//       the token ids of each batch it fed to ids.json, for the session timings below.
//   session <model> <ids.json> <threads>
//       the session runs alone on the batches of ids.json, exactly what ort-node.mjs times on onnxruntime-node: every
//       batch's input tensors are filled before the clock starts, one warm-up run on the last batch, then one
//       OnnxSession.Run per batch (the output is only looked at, as node only receives it).
if (args.Length < 6 && !(args.Length == 4 && args[0] == "session"))
{
    Console.Error.WriteLine("usage: KpLab.Onnx.Benchmarks batching|once <model folder> <csv> <column> <limit> <threads> <repeats|ids.json>\n" +
                            "       KpLab.Onnx.Benchmarks session <model folder> <ids.json> <threads>");
    return 2;
}

if (args[0] == "session") return SessionTiming.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));

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
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    embedder.Embed(texts);
    var seconds = clock.Elapsed.TotalSeconds;
    var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    File.WriteAllText(args[6], JsonSerializer.Serialize(Batches(embedder)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"engine\": \"kplab (Microsoft.ML.OnnxRuntime)\", \"model\": \"{name}\", \"threads\": {threads}, \"texts\": {texts.Length}, \"seconds\": {seconds:F3}, \"sentences_per_second\": {texts.Length / seconds:F1}, \"cpu_seconds\": {cpuSeconds:F3}}}"));
    return 0;
}

var repeats = int.Parse(args[6], CultureInfo.InvariantCulture);
var budgets = args.Length > 7 ? args[7].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray() : [OnnxEmbedderOptions.DefaultTokenBudget];
var fixedBatches = Create(32, int.MaxValue);
var variants = budgets
    .Select(b => (Name: $"token budget {b}{(b == OnnxEmbedderOptions.DefaultTokenBudget ? " (default)" : "")}", Run: Embedding(Create(new OnnxEmbedderOptions().BatchSize, b))))
    .Append((Name: "fixed 32 texts, length-sorted (default when issue 13 was filed)", Run: Embedding(fixedBatches)))
    .Append((Name: "fixed 32 texts, input order", Run: InputOrder(fixedBatches)))
    .ToArray();
int sorted32 = variants.Length - 2, inputOrder32 = variants.Length - 1;
var best = new double[variants.Length];
var bestCpu = new double[variants.Length];
var vectors = new float[variants.Length][];
var counts = new (long Padding, int Batches)[variants.Length];
for (var v = 0; v < variants.Length; v++)
{
    variants[v].Run(texts.Take(64).ToArray());
    best[v] = bestCpu[v] = double.MaxValue;
}

for (var r = 0; r < repeats; r++)
    for (var v = 0; v < variants.Length; v++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        (vectors[v], counts[v]) = variants[v].Run(texts);
        best[v] = Math.Min(best[v], clock.Elapsed.TotalSeconds);
        bestCpu[v] = Math.Min(bestCpu[v], (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

var difference = 0f;
for (var v = 0; v < variants.Length; v++)
    for (var i = 0; i < vectors[v].Length; i++) difference = Math.Max(difference, Math.Abs(vectors[v][i] - vectors[sorted32][i]));
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
for (var v = 0; v < variants.Length; v++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"model\": \"{name}\", \"batching\": \"{variants[v].Name}\", \"threads\": {threads}, \"texts\": {texts.Length}, \"seconds_min\": {best[v]:F3}, " +
        $"\"sentences_per_second\": {texts.Length / best[v]:F1}, \"padding\": {counts[v].Padding}, \"batches\": {counts[v].Batches}, " +
        $"\"speedup_vs_sorted_32\": {best[sorted32] / best[v]:F2}, \"speedup_vs_input_order_32\": {best[inputOrder32] / best[v]:F2}, " +
        $"\"cpu_seconds_min\": {bestCpu[v]:F3}, \"cpu_speedup_vs_sorted_32\": {bestCpu[sorted32] / bestCpu[v]:F2}, \"cpu_speedup_vs_input_order_32\": {bestCpu[inputOrder32] / bestCpu[v]:F2}}}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"model\": \"{name}\", \"max_abs_vector_difference_between_batchings\": {difference:E2}, \"load_average_at_end\": \"{load}\"}}"));
return 0;

// One Embed call over all texts; the vectors and the padding and batch counts it reports.
Func<IReadOnlyList<string?>, (float[], (long, int))> Embedding(OnnxEmbedder embedder) => batch =>
{
    var values = embedder.Embed(batch).Values.ToArray();
    return (values, (embedder.Statistics.PaddingTokens, embedder.Statistics.Batches));
};

// Consecutive runs of 32 texts in input order, each one Embed call (one model run padded to its longest text).
Func<IReadOnlyList<string?>, (float[], (long, int))> InputOrder(OnnxEmbedder embedder) => batch =>
{
    var values = new List<float>(batch.Count * 384);
    long padding = 0;
    var runs = 0;
    for (var start = 0; start < batch.Count; start += 32)
    {
        values.AddRange(embedder.Embed(batch.Skip(start).Take(32).ToArray()).Values.ToArray());
        padding += embedder.Statistics.PaddingTokens;
        runs += embedder.Statistics.Batches;
    }

    return ([.. values], (padding, runs));
};

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
