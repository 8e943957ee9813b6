// kplab: skip-run-all
// One process of the embedding-cache concurrency test (tests/KpLab.Cluster.Tests/EmbeddingCacheConcurrencyTests.cs).
// Arguments: <cache folder> <worker: 0..7, or "all"> <output file> [<start folder>].
// With a start folder, a worker writes ready-<worker> there and waits for a file "go", so that all start at once.
// A worker first embeds "answer 0" .. "answer 19" (the same pack name in every worker), then 30 overlapping batches of the texts "answer 0" .. "answer 399" through the cache; "all" embeds every
// text once (with the embedder counting its calls). Each writes "text<TAB>vector" lines of what the cache returned.
#nullable enable
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using KpLab.Abstractions;
using KpLab.Scripting;

var (root, worker, output) = (Lab.RawArgs[0], Lab.RawArgs[1], Lab.RawArgs[2]);
var embedder = new HashEmbedder();
var cache = new EmbeddingCache(root, w => Console.Error.WriteLine("warning: " + w)).Wrap(embedder);

var batches = new List<string[]>();
if (worker == "all") batches.Add(Enumerable.Range(0, 400).Select(i => $"answer {i}").ToArray());
else
{
    batches.Add(Enumerable.Range(0, 20).Select(i => $"answer {i}").ToArray());
    // Every worker draws from the same 400 texts, so workers race on the same entries and packs all the time.
    var random = new Random(1000 + int.Parse(worker));
    for (int b = 0; b < 30; b++)
        batches.Add(Enumerable.Range(0, 20).Select(_ => $"answer {random.Next(400)}").ToArray());
}

if (Lab.RawArgs.Count > 3)
{
    File.WriteAllText(Path.Combine(Lab.RawArgs[3], "ready-" + worker), "");
    var go = Path.Combine(Lab.RawArgs[3], "go");
    var deadline = DateTime.UtcNow.AddMinutes(5);
    while (!File.Exists(go))
    {
        if (DateTime.UtcNow > deadline) throw new TimeoutException("no 'go' file within 5 minutes");
        Thread.Sleep(10);
    }
}

var lines = new List<string>();
foreach (var batch in batches)
{
    var vectors = cache.Embed(batch);
    for (int i = 0; i < batch.Length; i++)
        lines.Add(batch[i] + "\t" + string.Join(" ", vectors.Row(i).ToArray().Select(v => v.ToString("R"))));
}
File.WriteAllLines(output, lines);
Console.WriteLine($"embedded {embedder.Texts} texts in {embedder.Calls} calls");

/// <summary>A deterministic 8-dimensional embedder: each text's SHA-256 bytes, scaled.</summary>
sealed class HashEmbedder : IEmbedder
{
    public int Calls;
    public int Texts;
    public string Identity => "cluster-test-hash-8";
    public int Dimension => 8;
    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        Texts += texts.Count;
        return EmbeddingMatrix.Create(texts.Count, 8, values =>
        {
            for (int i = 0; i < texts.Count; i++)
            {
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes(texts[i] ?? ""));
                for (int k = 0; k < 8; k++) values[i * 8 + k] = hash[k] / 255f - 0.5f;
            }
        });
    }
}
