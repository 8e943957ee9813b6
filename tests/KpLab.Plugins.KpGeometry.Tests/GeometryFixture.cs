using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.KpGeometry.Tests;

/// <summary>The NumPy/SciPy references of Fixtures/make_fixtures.py (null in the JSON stands for NaN).</summary>
internal static class GeometryFixture
{
    public static readonly JsonElement Root = Load();

    private static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path("geometry_cases.json")));
        return doc.RootElement.Clone();
    }

    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    public static IEnumerable<JsonElement> Cases => Root.GetProperty("cases").EnumerateArray();

    public static JsonElement Case(string name) => Cases.Single(c => c.GetProperty("name").GetString() == name);

    public static EmbeddingMatrix Embeddings(string file) => NpyFile.Load(Path(file));

    public static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();

    public static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(Number).ToArray();

    /// <summary>The label permutations NumPy drew for the case's null (row i takes the label of row perm[i]).</summary>
    public static int[][] Permutations(JsonElement c) =>
        c.GetProperty("permutations").EnumerateArray().Select(p => p.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();

    /// <summary>The case as an evaluation input: string labels, or integers where the case says so.</summary>
    public static EvaluationInput Input(JsonElement c)
    {
        var labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
        bool numeric = c.TryGetProperty("numeric", out var flag) && flag.GetBoolean();
        var order = c.GetProperty("qualityOrder");
        return new EvaluationInput
        {
            Embeddings = Embeddings(c.GetProperty("file").GetString()!),
            Truth = numeric ? labels.Select(int.Parse).ToArray() : labels,
            QualityOrder = order.ValueKind == JsonValueKind.Null ? null : order.EnumerateArray().Select(e => e.GetString()!).ToArray(),
        };
    }
}
