using KpLab.Abstractions;

namespace KpLab.Plugins.InternalMetrics.Tests;

/// <summary>EvaluationInput.CancellationToken stops a long silhouette part-way; no timing is asserted.</summary>
public sealed class CancellationTests
{
    private const int Rows = 4000;

    private static EvaluationInput Large(CancellationToken token)
    {
        var random = new Random(11);
        var data = EmbeddingMatrix.Create(Rows, 32, values =>
        {
            for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        });
        return new EvaluationInput
        {
            Embeddings = data, Predicted = new Partition(Enumerable.Range(0, Rows).Select(i => i % 7).ToArray()), CancellationToken = token,
        };
    }

    /// <summary>Cancels at the first progress report; records every fraction reported.</summary>
    private sealed class CancelOnFirstReport(CancellationTokenSource source) : IProgress<FitProgress>
    {
        public List<double> Fractions { get; } = [];

        public void Report(FitProgress value)
        {
            lock (Fractions) Fractions.Add(value.Fraction);
            source.Cancel();
        }
    }

    [Fact]
    public void Cancelling_during_the_tiled_silhouette_stops_it_before_it_finishes()
    {
        using var source = new CancellationTokenSource();
        var progress = new CancelOnFirstReport(source);
        var context = new PluginContext(new RandomSource(0)) { Progress = progress };
        var metric = new Silhouette(new SilhouetteOptions { TileRows = 32 }, context);

        Assert.ThrowsAny<OperationCanceledException>(() => metric.Evaluate(Large(source.Token)));

        // 125 tiles of 32 rows: the first report cancelled, and the tiles already running stopped at their next row.
        Assert.NotEmpty(progress.Fractions);
        Assert.True(progress.Fractions.Max() < 0.5, $"it went on to {progress.Fractions.Max():P0} of the rows after the cancellation.");
    }

    [Fact]
    public void The_same_silhouette_without_cancellation_reports_every_row()
    {
        using var source = new CancellationTokenSource();
        var fractions = new List<double>();
        var context = new PluginContext(new RandomSource(0)) { Progress = new Recorder(fractions) };

        var result = new Silhouette(new SilhouetteOptions { TileRows = 32 }, context).Evaluate(Large(source.Token));

        Assert.Equal(1.0, fractions.Max());
        Assert.Equal(Rows / 32 + (Rows % 32 == 0 ? 0 : 1), fractions.Count);
        Assert.Equal(7, result.Records.Count);
    }

    [Theory]
    [InlineData("silhouette")]
    [InlineData("silhouette-cosine")]
    [InlineData("davies-bouldin")]
    [InlineData("calinski-harabasz")]
    public void A_cancelled_token_stops_each_internal_metric(string metric)
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        IMetric m = metric switch
        {
            "silhouette" => new Silhouette(new SilhouetteOptions()),
            "silhouette-cosine" => new Silhouette(new SilhouetteOptions { Distance = SilhouetteDistance.Cosine, Method = SilhouetteMethod.Decomposed }),
            "davies-bouldin" => new DaviesBouldin(new CentroidIndexOptions()),
            _ => new CalinskiHarabasz(new CentroidIndexOptions()),
        };

        Assert.ThrowsAny<OperationCanceledException>(() => m.Evaluate(Large(source.Token)));
    }

    private sealed class Recorder(List<double> fractions) : IProgress<FitProgress>
    {
        public void Report(FitProgress value)
        {
            lock (fractions) fractions.Add(value.Fraction);
        }
    }
}
