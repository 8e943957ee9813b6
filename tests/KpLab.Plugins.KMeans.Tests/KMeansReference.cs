using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.KMeans.Tests;

/// <summary>The scikit-learn 1.2.1 references written by Fixtures/make_fixtures.py.</summary>
internal static class KMeansReference
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kmeans_reference.json"))).RootElement);

    public static JsonElement Entry(string name) => Root.Value.GetProperty(name);

    public static EmbeddingMatrix Data(string name) => NpyFile.Load(FixturePath(name == "blobs_relocate" ? "blobs.npy" : name + ".npy"));

    public static string FixturePath(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    public static double[][] InitialCentres(string name)
    {
        var m = NpyFile.Load(FixturePath(name + ".init.npy"));
        return Enumerable.Range(0, m.Rows).Select(r => m.Row(r).ToArray().Select(v => (double)v).ToArray()).ToArray();
    }

    public static int[] Labels(string name, string entry = "labels") =>
        Entry(name).GetProperty(entry).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
