using KpLab.Kernels;

namespace KpLab.Plugins.KMeans.Tests;

/// <summary>The kernel's fused assignment (core/KpLab.Kernels/NearestCentroid.cs) against a double-precision brute force.</summary>
public sealed class NearestCentroidTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(13, 5)]
    [InlineData(384, 8)]
    [InlineData(384, 9)]
    [InlineData(20, 300)]
    public void MatchesBruteForceDistances(int depth, int k)
    {
        var random = new Random(depth * 1000 + k);
        int n = 200;
        var rows = Enumerable.Range(0, n * depth).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var centroids = Enumerable.Range(0, k * depth).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norms = new float[k];
        MatrixRows.SquaredNorms(centroids, depth, norms);
        var labels = new int[n];
        var scores = new float[n];
        NearestCentroid.Assign(rows, centroids, depth, norms, labels, scores);
        for (int i = 0; i < n; i++)
        {
            var distances = Enumerable.Range(0, k).Select(j => Enumerable.Range(0, depth)
                .Sum(t => Math.Pow((double)rows[i * depth + t] - centroids[j * depth + t], 2))).ToArray();
            double bestDistance = distances.Min();
            double rowNorm = Enumerable.Range(0, depth).Sum(t => (double)rows[i * depth + t] * rows[i * depth + t]);
            // The chosen centroid is the nearest up to float rounding, and its score plus |x|² is its squared distance.
            Assert.True(distances[labels[i]] <= bestDistance + 1e-4 * (1 + bestDistance), $"row {i}");
            Assert.Equal(distances[labels[i]], scores[i] + rowNorm, 1e-3 * (1 + bestDistance));
        }
    }

    [Fact]
    public void TiesGoToTheFirstCentroid()
    {
        float[] centroids = [1, 0, 0, 0, 0, 0, 0, 0, /**/ 1, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 1, 0, 0, 0, 0, 0, 0, /**/ 1, 0, 0, 0, 0, 0, 0, 0];
        var norms = new float[4];
        MatrixRows.SquaredNorms(centroids, 8, norms);
        var labels = new int[1];
        NearestCentroid.Assign(new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, centroids, 8, norms, labels, default);
        Assert.Equal(0, labels[0]);
    }

    [Fact]
    public void ShapeErrorsAreReported()
    {
        Assert.Throws<ArgumentException>(() => NearestCentroid.Assign(new float[6], new float[4], 3, new float[1], new int[2], default));
        Assert.Throws<ArgumentException>(() => NearestCentroid.Assign(new float[6], new float[6], 3, new float[1], new int[2], default));
        Assert.Throws<ArgumentException>(() => NearestCentroid.Assign(new float[6], new float[6], 3, new float[2], new int[1], default));
    }
}
