using System.ComponentModel;
using System.Reflection;
using KpLab.Abstractions;

namespace KpLab.Plugins.Agglomerative.Tests;

public sealed class InputValidationTests
{
    private static Partition Fit(EmbeddingMatrix data, AgglomerativeOptions? options = null) =>
        new AgglomerativeClusterer(options ?? new AgglomerativeOptions(), PluginContext.Default).Fit(data);

    private static EmbeddingMatrix Matrix(params float[][] rows) => EmbeddingMatrix.FromRows(rows);

    [Fact]
    public void NoRowsIsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(0, 3, [])));
        Assert.Contains("agglomerative", ex.Message);
        Assert.Contains("no rows", ex.Message);
    }

    [Fact]
    public void NoColumnsIsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(4, 0, [])));
        Assert.Contains("d = 0", ex.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteValuesNameTheRow(float bad)
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(Matrix([0, 0], [1, 1], [2, bad], [3, 3])));
        Assert.Contains("row 2", ex.Message);
    }

    [Fact]
    public void ClusterCountBelowOneIsAnOptionError()
    {
        var ex = Assert.Throws<PluginOptionException>(() => new AgglomerativeClusterer(new AgglomerativeOptions { NClusters = 0 }, PluginContext.Default));
        Assert.Equal("nClusters", ex.Option);
    }

    [Fact]
    public void ClusterCountAboveRowsIsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(Matrix([0, 0], [1, 1]), new AgglomerativeOptions { NClusters = 3 }));
        Assert.Contains("nClusters = 3 exceeds the number of rows (2)", ex.Message);
    }

    [Fact]
    public void WardWithCosineIsRejectedAsScikitLearnDoes()
    {
        var ex = Assert.Throws<PluginOptionException>(() => new AgglomerativeClusterer(
            new AgglomerativeOptions { Linkage = Linkage.Ward, Metric = DistanceMetric.Cosine }, PluginContext.Default));
        Assert.Equal("metric", ex.Option);
    }

    [Fact]
    public void CountAndThresholdTogetherAreRejected()
    {
        var options = new AgglomerativeOptions { NClusters = 2, DistanceThreshold = 1.0 };
        Assert.Contains(options.Validate(), e => e.Option == "distanceThreshold");
    }

    [Fact]
    public void CosineOnAZeroRowNamesTheRow()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(Matrix([1, 0], [0, 0], [0, 1]),
            new AgglomerativeOptions { Linkage = Linkage.Average, Metric = DistanceMetric.Cosine }));
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void OneRowIsOneClusterWithAnEmptyTree()
    {
        var p = Fit(Matrix([1, 2]), new AgglomerativeOptions { NClusters = 1 });
        Assert.Equal([0], p.Labels);
        Assert.Empty(p.MergeTree!.Merges);
    }

    [Theory]
    [InlineData(Linkage.Ward)]
    [InlineData(Linkage.Average)]
    [InlineData(Linkage.Complete)]
    [InlineData(Linkage.Single)]
    public void IdenticalPointsMergeAtHeightZeroAndStillGiveKClusters(Linkage linkage)
    {
        var rows = Enumerable.Range(0, 6).Select(_ => new float[] { 1, 2, 3 }).ToArray();
        var p = Fit(EmbeddingMatrix.FromRows(rows), new AgglomerativeOptions { Linkage = linkage, NClusters = 3 });
        Assert.All(p.MergeTree!.Merges, m => Assert.Equal(0.0, m.Distance));
        Assert.Equal(3, p.ClusterCount);
        // SciPy's tie rule (lowest index first) merges 0-1, then {0,1}-2, ...; undoing the last two merges leaves {0..3}, {4}, {5}.
        Assert.Equal([0, 0, 0, 0, 1, 2], p.Labels);
    }

    [Fact]
    public void DuplicatePointsMergeFirstAtZero()
    {
        var p = Fit(Matrix([0, 0], [5, 5], [0, 0], [5, 6]), new AgglomerativeOptions { Linkage = Linkage.Average });
        var first = p.MergeTree!.Merges[0];
        Assert.Equal((0, 2, 0.0, 2), (first.Left, first.Right, first.Distance, first.Size));
        Assert.Equal([0, 1, 0, 1], p.Labels);
    }

    [Fact]
    public void PluginIsDiscoverableWithDescribedOptions()
    {
        var attribute = typeof(AgglomerativeClusterer).GetCustomAttribute<KpLabPluginAttribute>()!;
        Assert.Equal(("agglomerative", PluginKind.Clusterer), (attribute.Name, attribute.Kind));
        Assert.All(typeof(AgglomerativeOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly),
            p => Assert.False(string.IsNullOrWhiteSpace(p.GetCustomAttribute<DescriptionAttribute>()?.Description), p.Name));
    }

    [Fact]
    public void AFullMatrixOverTheBudgetIsRefusedBeforeAllocating()
    {
        var rows = Enumerable.Range(0, 2000).Select(i => new float[] { i, i % 7 }).ToArray();
        var options = new AgglomerativeOptions { Linkage = Linkage.Average, MemoryBudgetGb = 0.01 };
        var ex = Assert.Throws<MemoryBudgetExceededException>(() => Fit(Matrix(rows), options));
        Assert.Equal(8L * 2000 * 2000 + 48L * 2000, ex.EstimatedBytes);
        Assert.Contains("agglomerative: average linkage on the full 2000 x 2000 double distance matrix needs about 32.1 MB", ex.Message);
        Assert.Contains("single", ex.Message);
    }

    [Theory]
    [InlineData(WardMethod.Matrix, "merges")]
    [InlineData(WardMethod.Centroids, "ward on centroids")]
    public void ProgressIsReportedAndCancellationStopsTheMerges(WardMethod method, string stage)
    {
        var rows = Enumerable.Range(0, 3000).Select(i => new float[] { MathF.Sin(i), MathF.Cos(i * 0.7f), i % 13 }).ToArray();
        using var cancel = new CancellationTokenSource();
        var seen = new List<FitProgress>();
        var context = new PluginContext(new RandomSource(0))
        {
            // Synchronous, so the cancellation lands while the merges run.
            Progress = new SynchronousProgress(p =>
            {
                seen.Add(p);
                if (p.Stage == stage && p.Fraction > 0) cancel.Cancel();
            }),
        };
        var clusterer = new AgglomerativeClusterer(new AgglomerativeOptions { WardMethod = method }, context);
        Assert.ThrowsAny<OperationCanceledException>(() => clusterer.Fit(Matrix(rows), cancel.Token));
        Assert.Contains(seen, p => p.Plugin == "agglomerative" && p.Stage == stage && p.Fraction > 0 && p.Fraction < 1);
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
