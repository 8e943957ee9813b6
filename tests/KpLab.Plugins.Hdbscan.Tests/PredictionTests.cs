using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.Hdbscan.Tests;

/// <summary>
/// Prediction of new rows against Fixtures/make_prediction_fixtures.py, an independent numpy implementation of the
/// fit and of the hdbscan library's <c>approximate_predict</c> (the library itself is not packaged for Debian).
/// </summary>
public sealed class PredictionTests
{
    private static readonly JsonElement[] Cases = NewRowsCase.Load("prediction_cases.json");

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static (HdbscanClusterer Clusterer, EmbeddingMatrix Train, EmbeddingMatrix New, JsonElement Case) Setup(string name)
    {
        var fixture = NewRowsCase.From(Cases.Single(e => e.GetProperty("name").GetString() == name));
        return (new HdbscanClusterer(fixture.Options, PluginContext.Default), fixture.Train, fixture.New, fixture.Json);
    }

    private static int[] Ints(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Theory]
    [MemberData(nameof(Names))]
    public void ApproximatePredictMatchesNumpyReference(string name)
    {
        var (clusterer, x, newRows, c) = Setup(name);
        var model = clusterer.FitModel(x);
        Assert.Equal(Ints(c, "fitLabels"), model.Partition.Labels);
        Assert.Equal(clusterer.Fit(x).Labels, model.Partition.Labels);

        var prediction = model.Predict(newRows);
        var wantLabels = Ints(c, "labels");
        var wantStrengths = c.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(wantLabels, prediction.Labels);
        double worst = wantStrengths.Zip(prediction.Strengths, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-12, $"{name}: largest strength deviation {worst:E2}");
        // The fixture exercises both outcomes and strengths strictly between 0 and 1.
        Assert.Contains(-1, prediction.Labels);
        Assert.Contains(prediction.Strengths, s => s is > 0 and < 1);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SavedModelPredictsTheSameAfterLoading(string name)
    {
        var (clusterer, x, newRows, _) = Setup(name);
        var model = clusterer.FitModel(x);
        var identity = ClusterModelIdentity.Of("hdbscan", "test", new HdbscanOptions(), x);
        var path = Path.Combine(Path.GetTempPath(), $"kplab-hdbscan-{Guid.NewGuid():N}.kpmodel");
        try
        {
            ClusterModelFile.Save(path, identity, model);
            var loaded = ClusterModelFile.Load(path, clusterer, identity);
            Assert.Equal(model.Partition.Labels, loaded.Partition.Labels);
            Assert.Equal(model.Partition.Probabilities, loaded.Partition.Probabilities);
            var before = model.Predict(newRows);
            var after = loaded.Predict(newRows);
            Assert.Equal(before.Labels, after.Labels);
            Assert.Equal(before.Strengths, after.Strengths);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TrainingRowsArePlacedInTheirOwnClusters()
    {
        // A fitted row finds itself at distance 0; a clustered row lands in its own cluster.
        var (clusterer, x, _, _) = Setup(Cases[0].GetProperty("name").GetString()!);
        var model = clusterer.FitModel(x);
        var prediction = model.Predict(x);
        for (int i = 0; i < x.Rows; i++)
            if (model.Partition.Labels[i] >= 0 && prediction.Labels[i] >= 0)
                Assert.Equal(model.Partition.Labels[i], prediction.Labels[i]);
        Assert.True(prediction.Labels.Count(l => l >= 0) >= model.Partition.Labels.Count(l => l >= 0) * 9 / 10);
    }

    [Fact]
    public void NewRowsOfAnotherWidthAreRefused()
    {
        var (clusterer, x, _, _) = Setup(Cases[0].GetProperty("name").GetString()!);
        var model = clusterer.FitModel(x);
        var wrong = EmbeddingMatrix.FromValues(1, x.Columns + 1, new float[x.Columns + 1]);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(wrong));
        Assert.Contains($"{x.Columns + 1} columns", e.Message);
        var nan = new float[x.Columns];
        nan[0] = float.NaN;
        e = Assert.Throws<ArgumentException>(() => model.Predict(EmbeddingMatrix.FromValues(1, x.Columns, nan)));
        Assert.Contains("row 0", e.Message);
    }
}
