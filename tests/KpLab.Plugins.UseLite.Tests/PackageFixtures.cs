using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Plugins.UseLite.Tests;

/// <summary>One sentence of Fixtures/node-vectors.json: its token ids and vector from the npm package under Node.</summary>
public sealed record NodeSentence(string Text, int[] Ids, float[] Vector)
{
    public override string ToString() => Text.Length > 40 ? Text[..40] + "…" : Text;
}

/// <summary>The reference data and one shared embedder (the model loads once per process).</summary>
public static class PackageFixtures
{
    private static readonly Lazy<UseLiteEmbedder> SharedEmbedder = new(() => new UseLiteEmbedder(new UseLiteOptions(), PluginContext.Default));
    private static readonly Lazy<IReadOnlyList<NodeSentence>> SharedSentences = new(ReadNodeSentences);

    /// <summary>The default embedder; fails (does not skip) when the model package is not in the cache.</summary>
    public static UseLiteEmbedder Embedder => SharedEmbedder.Value;

    public static IReadOnlyList<NodeSentence> NodeSentences => SharedSentences.Value;

    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static IEnumerable<(string Text, float[] Vector)> SnapshotVectors()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(FixturePath("snapshot-vectors.json")));
        foreach (var entry in document.RootElement.GetProperty("vectors").EnumerateArray())
            yield return (entry.GetProperty("text").GetString()!, Floats(entry.GetProperty("vector")));
    }

    public static (string Text, float Value) SnapshotFirstComponent()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(FixturePath("snapshot-vectors.json")));
        var entry = document.RootElement.GetProperty("first_component")[0];
        return (entry.GetProperty("text").GetString()!, entry.GetProperty("value").GetSingle());
    }

    private static IReadOnlyList<NodeSentence> ReadNodeSentences()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(FixturePath("node-vectors.json")));
        return document.RootElement.GetProperty("sentences").EnumerateArray().Select(s => new NodeSentence(
            new string(s.GetProperty("utf16").EnumerateArray().Select(c => (char)c.GetInt32()).ToArray()),
            s.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
            Floats(s.GetProperty("vector")))).ToList();
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
}
