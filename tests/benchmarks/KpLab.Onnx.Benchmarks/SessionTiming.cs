using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KpLab.Plugins.Onnx;

/// <summary>
/// KpLab's side of the session-only comparison with onnxruntime-node (ort-node.mjs does the same on node): the token-id
/// batches of ids.json padded with [PAD] = 0 and mask 0 into one set of arrays per batch before the clock starts, one
/// warm-up run on the last batch, then every batch through <see cref="OnnxSession.Run"/> with the session options the
/// embedder uses. Tokenization and pooling are outside the clock on both sides. Wall and process CPU time are both
/// reported (node reports the same pair).
/// </summary>
internal static class SessionTiming
{
    public static int Run(string modelFolder, string idsPath, int threads)
    {
        var batches = JsonSerializer.Deserialize<int[][][]>(File.ReadAllText(idsPath))
            ?? throw new InvalidDataException($"{idsPath}: no batches");
        var feeds = batches.Select(Feed).ToArray();
        using var session = new OnnxSession(Path.Combine(modelFolder, "model.onnx"), threads, outputName: null);
        var last = feeds[^1];
        session.Run(last.Ids, last.Mask, last.Types, last.Batch, last.Sequence, static (_, _, _, _) => { });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var f in feeds)
            session.Run(f.Ids, f.Mask, f.Types, f.Batch, f.Sequence, static (_, _, _, _) => { });
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var texts = batches.Sum(b => b.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"engine\": \"kplab OnnxSession (Microsoft.ML.OnnxRuntime)\", \"model\": \"{Path.GetFileName(Path.GetFullPath(modelFolder))}\", \"threads\": {threads}, \"texts\": {texts}, \"seconds\": {seconds:F3}, \"sentences_per_second\": {texts / seconds:F1}, \"cpu_seconds\": {cpuSeconds:F3}}}"));
        return 0;
    }

    private static (long[] Ids, long[] Mask, long[] Types, int Batch, int Sequence) Feed(int[][] batch)
    {
        int sequence = batch[0].Length, n = batch.Length;
        var ids = new long[n * sequence];
        var mask = new long[n * sequence];
        for (var b = 0; b < n; b++)
            for (var t = 0; t < batch[b].Length; t++)
            {
                ids[b * sequence + t] = batch[b][t];
                mask[b * sequence + t] = 1;
            }

        return (ids, mask, new long[n * sequence], n, sequence);
    }
}
