using System.ComponentModel;
using System.Reflection;
using KpLab.Abstractions;
using KpLab.Hosting;

namespace KpLab.Plugins.Hdbscan.Tests;

public sealed class InputValidationTests
{
    private static Partition Fit(EmbeddingMatrix data, HdbscanOptions? options = null) =>
        new HdbscanClusterer(options ?? new HdbscanOptions { MinClusterSize = 2 }, PluginContext.Default).Fit(data);

    [Fact]
    public void NoRowsAndNoColumnsAreErrors()
    {
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(0, 2, []))).Message);
        Assert.Contains("d = 0", Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(3, 0, []))).Message);
    }

    [Fact]
    public void NonFiniteValuesNameTheRow()
    {
        var data = EmbeddingMatrix.FromRows([[0f, 0f], [1f, 1f], [float.NaN, 2f]]);
        Assert.Contains("row 2", Assert.Throws<ArgumentException>(() => Fit(data)).Message);
    }

    [Fact]
    public void MinClusterSizeAboveRowsIsAnError()
    {
        var data = EmbeddingMatrix.FromRows([[0f], [1f], [2f]]);
        var ex = Assert.Throws<ArgumentException>(() => Fit(data, new HdbscanOptions { MinClusterSize = 4 }));
        Assert.Contains("minClusterSize = 4 exceeds the number of rows (3)", ex.Message);
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        // Options are validated once, when the host binds them.
        Assert.Equal("minClusterSize", Assert.Throws<PluginOptionException>(() =>
            OptionsBinder.Bind<HdbscanOptions>(new { minClusterSize = 1 }, "hdbscan")).Option);
        Assert.Equal("minSamples", Assert.Throws<PluginOptionException>(() =>
            OptionsBinder.Bind<HdbscanOptions>(new { minSamples = 0 }, "hdbscan")).Option);
    }

    [Fact]
    public void IdenticalPointsAreAllNoiseUnlessASingleClusterIsAllowed()
    {
        var data = EmbeddingMatrix.FromRows(Enumerable.Range(0, 10).Select(_ => new[] { 1f, 2f }).ToArray());
        var p = Fit(data, new HdbscanOptions { MinClusterSize = 3 });
        Assert.Equal(10, p.NoiseCount);
        Assert.All(p.OutlierScores!, s => Assert.Equal(0.0, s));
        var single = Fit(data, new HdbscanOptions { MinClusterSize = 3, AllowSingleCluster = true });
        Assert.Equal(Enumerable.Repeat(0, 10), single.Labels);
    }

    [Fact]
    public void TwoSeparatedGroupsWithDuplicatesAreTwoClusters()
    {
        var rows = new List<float[]>();
        for (int i = 0; i < 6; i++) rows.Add([0f, i % 3 * 0.1f]);
        for (int i = 0; i < 6; i++) rows.Add([10f, i % 3 * 0.1f]);
        var p = Fit(EmbeddingMatrix.FromRows(rows), new HdbscanOptions { MinClusterSize = 4 });
        Assert.Equal(2, p.ClusterCount);
        Assert.Equal(0, p.NoiseCount);
        Assert.True(p.Labels.Take(6).All(l => l == p.Labels[0]) && p.Labels.Skip(6).All(l => l == p.Labels[6]));
    }

    [Fact]
    public void LeafSelectionAndEpsilonBehaveAsDocumented()
    {
        var data = RDbscanFixture.Data("blobs");
        var eom = Fit(data, new HdbscanOptions { MinClusterSize = 5 });
        var leaf = Fit(data, new HdbscanOptions { MinClusterSize = 5, ClusterSelectionMethod = ClusterSelection.Leaf });
        Assert.True(leaf.ClusterCount >= eom.ClusterCount);
        var merged = Fit(data, new HdbscanOptions { MinClusterSize = 5, ClusterSelectionMethod = ClusterSelection.Leaf, ClusterSelectionEpsilon = 1e6 });
        Assert.True(merged.ClusterCount <= 2, $"an epsilon above every split keeps only the root's children, got {merged.ClusterCount}");
    }

    [Fact]
    public void PluginIsDiscoverableWithDescribedOptions()
    {
        var attribute = typeof(HdbscanClusterer).GetCustomAttribute<KpLabPluginAttribute>()!;
        Assert.Equal(("hdbscan", PluginKind.Clusterer), (attribute.Name, attribute.Kind));
        Assert.All(typeof(HdbscanOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly),
            p => Assert.False(string.IsNullOrWhiteSpace(p.GetCustomAttribute<DescriptionAttribute>()?.Description), p.Name));
    }

    [Theory]
    [InlineData(0.0)]     // the Gram-bounded path
    [InlineData(0.008)]   // a budget below the 9 MB Gram matrix: the blocked kNN path
    public void StagesAreReportedAndCancellationStopsTheFit(double budgetGb)
    {
        var rows = Enumerable.Range(0, 1500).Select(i => new float[] { MathF.Sin(i), MathF.Cos(i * 0.7f), i % 13 }).ToArray();
        using var cancel = new CancellationTokenSource();
        var stages = new List<string>();
        var context = new PluginContext(new RandomSource(0))
        {
            Progress = new SynchronousProgress(p =>
            {
                stages.Add(p.Stage);
                if (p.Stage == "spanning tree") cancel.Cancel();
            }),
        };
        var options = new HdbscanOptions { MinClusterSize = 5, MemoryBudgetGb = budgetGb > 0 ? budgetGb : null };
        Assert.ThrowsAny<OperationCanceledException>(() => new HdbscanClusterer(options, context).Fit(EmbeddingMatrix.FromRows(rows), cancel.Token));
        Assert.Equal(["core distances", "spanning tree"], stages.Distinct());
    }

    [Fact]
    public void ABudgetBelowTheSearchIsRefusedWithTheEstimate()
    {
        var rows = Enumerable.Range(0, 1500).Select(i => new float[] { i, i % 7 }).ToArray();
        var ex = Assert.Throws<MemoryBudgetExceededException>(() =>
            new HdbscanClusterer(new HdbscanOptions { MinClusterSize = 5, MemoryBudgetGb = 1e-6 }, PluginContext.Default)
                .Fit(EmbeddingMatrix.FromRows(rows)));
        Assert.StartsWith("hdbscan: HDBSCAN of 1500 rows with minSamples = 5 needs about", ex.Message);
        Assert.True(ex.EstimatedBytes > ex.BudgetBytes);
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
