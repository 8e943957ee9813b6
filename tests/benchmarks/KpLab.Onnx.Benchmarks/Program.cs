using System.Diagnostics;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Plugins.Onnx;

// Sentences per second of the onnx embedder on a CSV column, once per thread count, after a warm-up run.
// A macro benchmark (seconds per run), so a stopwatch over whole runs rather than BenchmarkDotNet's many iterations.
// Usage: KpLab.Onnx.Benchmarks <model folder> <answers.csv> <column> <limit> <threads,...> [repeats]
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: KpLab.Onnx.Benchmarks <model folder> <csv> <column> <limit> <threads,...> [repeats]");
    return 2;
}

var table = CsvTable.Load(args[1]);
var column = table.ColumnIndex(args[2]);
var texts = table.Records.Take(int.Parse(args[3])).Select(r => (string?)r.Fields[column]).ToArray();
var repeats = args.Length > 5 ? int.Parse(args[5]) : 2;
foreach (var threads in args[4].Split(',').Select(int.Parse))
{
    using var embedder = new OnnxEmbedder(new OnnxEmbedderOptions { Model = args[0], Threads = threads },
        new PluginContext(new RandomSource(0)) { Threads = threads });
    embedder.Embed(texts.Take(64).ToArray()); // warm-up: session, arena, code paths
    var best = double.MaxValue;
    for (var r = 0; r < repeats; r++)
    {
        var clock = Stopwatch.StartNew();
        embedder.Embed(texts);
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }

    var s = embedder.Statistics;
    Console.WriteLine($"{{\"model\": \"{Path.GetFileName(Path.GetFullPath(args[0]))}\", \"threads\": {threads}, \"texts\": {texts.Length}, " +
                      $"\"seconds_min\": {best:F3}, \"sentences_per_second\": {texts.Length / best:F1}, \"tokens\": {s.Tokens}, " +
                      $"\"padding\": {s.PaddingTokens}, \"truncated\": {s.TruncatedTexts}}}");
}

return 0;
