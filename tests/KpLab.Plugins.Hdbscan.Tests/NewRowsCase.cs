using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.Hdbscan.Tests;

/// <summary>
/// One case of the new-row fixtures (prediction_cases.json, membership_cases.json): its JSON, the training rows (the
/// first <c>trainRows</c> of its file), the new rows and the HDBSCAN options it was fitted with.
/// </summary>
internal sealed record NewRowsCase(JsonElement Json, EmbeddingMatrix Train, EmbeddingMatrix New, HdbscanOptions Options)
{
    /// <summary>The cases of fixture file <paramref name="file"/>.</summary>
    public static JsonElement[] Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RDbscanFixture.PathOf(file)));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Case <paramref name="c"/> with its rows loaded; <c>allowSingleCluster</c> is optional (default false).</summary>
    public static NewRowsCase From(JsonElement c)
    {
        var all = NpyFile.Load(RDbscanFixture.PathOf(c.GetProperty("file").GetString()!));
        int train = c.GetProperty("trainRows").GetInt32();
        var x = EmbeddingMatrix.FromValues(train, all.Columns, all.Values[..(train * all.Columns)]);
        var options = new HdbscanOptions
        {
            MinClusterSize = c.GetProperty("minClusterSize").GetInt32(),
            MinSamples = c.GetProperty("minSamples").ValueKind == JsonValueKind.Null ? null : c.GetProperty("minSamples").GetInt32(),
            Metric = c.GetProperty("metric").GetString() == "cosine" ? HdbscanMetric.Cosine : HdbscanMetric.Euclidean,
            AllowSingleCluster = c.TryGetProperty("allowSingleCluster", out var single) && single.GetBoolean(),
        };
        return new NewRowsCase(c, x, NpyFile.Load(RDbscanFixture.PathOf(c.GetProperty("newFile").GetString()!)), options);
    }
}
