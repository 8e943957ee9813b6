using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.Agglomerative.Tests;

/// <summary>Prediction of new rows against Fixtures/make_prediction_fixtures.py (SciPy's tree, numpy's linkage distances).</summary>
public sealed class PredictionTests
{
    private static readonly JsonElement[] Cases = Load();

    private static JsonElement[] Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ReferenceFixtures.PathOf("prediction_cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static (AgglomerativeClusterer Clusterer, EmbeddingMatrix Train, EmbeddingMatrix New, JsonElement Case) Setup(string name)
    {
        var c = Cases.Single(e => e.GetProperty("name").GetString() == name);
        var all = NpyFile.Load(ReferenceFixtures.PathOf(c.GetProperty("file").GetString()!));
        int train = c.GetProperty("trainRows").GetInt32();
        var x = EmbeddingMatrix.FromValues(train, all.Columns, all.Values[..(train * all.Columns)]);
        var options = new AgglomerativeOptions
        {
            Linkage = Enum.Parse<Linkage>(c.GetProperty("linkage").GetString()!, ignoreCase: true),
            Metric = Enum.Parse<DistanceMetric>(c.GetProperty("metric").GetString()!, ignoreCase: true),
            NClusters = c.GetProperty("nClusters").GetInt32(),
        };
        return (new AgglomerativeClusterer(options, PluginContext.Default), x,
            NpyFile.Load(ReferenceFixtures.PathOf(c.GetProperty("newFile").GetString()!)), c);
    }

    private static int[] Ints(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Theory]
    [MemberData(nameof(Names))]
    public void NearestClusterByLinkageMatchesNumpyReference(string name)
    {
        var (clusterer, x, newRows, c) = Setup(name);
        var model = clusterer.FitModel(x);
        Assert.Equal(Ints(c, "fitLabels"), model.Partition.Labels);
        var prediction = model.Predict(newRows);
        Assert.Equal(Ints(c, "labels"), prediction.Labels);
        Assert.All(prediction.Strengths, s => Assert.Equal(1.0, s));
    }

    // Saving and loading a model file is checked for every predicting clusterer by the conformance kit (PredictionChecks).
}
