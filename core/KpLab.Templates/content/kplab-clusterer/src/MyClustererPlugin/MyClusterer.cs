using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace MyClustererPlugin;

/// <summary>Options of <see cref="MyClusterer"/>: every option has a default and a description.</summary>
public sealed record MyClustererOptions : PluginOptions
{
    [Description("Number of clusters (at most the number of rows).")]
    public int K { get; init; } = 3;

    [Description("Most assignment/update rounds.")]
    public int MaxIterations { get; init; } = 100;

    public override IEnumerable<OptionError> Validate()
    {
        if (K < 1) yield return new OptionError("k", $"must be at least 1, got {K}.");
        if (MaxIterations < 1) yield return new OptionError("maxIterations", $"must be at least 1, got {MaxIterations}.");
    }
}

/// <summary>
/// An example clusterer to replace with your own: Lloyd's k-means from k distinct random rows. Randomness comes only
/// from the run's <see cref="PluginContext.Random"/>, so a seed reproduces the labels.
/// </summary>
[KpLabPlugin(PluginKind.Clusterer, "my-clusterer", Description = "Lloyd's k-means (squared Euclidean) from k random rows.")]
public sealed class MyClusterer(MyClustererOptions options, PluginContext context) : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.ThrowIfNonFinite("my-clusterer");
        int n = data.Rows, d = data.Columns, k = Math.Min(options.K, n);
        if (n == 0) return new Partition([]);

        var random = context.Random.CreateRandom("my-clusterer.init");
        var order = Enumerable.Range(0, n).ToArray();
        var centres = new float[k * d];
        for (int c = 0; c < k; c++)
        {
            int pick = random.Next(c, n);
            (order[c], order[pick]) = (order[pick], order[c]);
            data.Row(order[c]).CopyTo(centres.AsSpan(c * d, d));
        }

        var labels = new int[n];
        Array.Fill(labels, -1);
        var sums = new float[k * d];
        var counts = new int[k];
        int iterations = 0;
        while (iterations < options.MaxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            iterations++;
            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                float bestDistance = float.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    float distance = VectorMath.SquaredL2(data.Row(i), centres.AsSpan(c * d, d));
                    if (distance < bestDistance) (best, bestDistance) = (c, distance); // ties go to the lower cluster
                }
                changed |= labels[i] != best;
                labels[i] = best;
            }
            if (!changed) break;
            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                VectorMath.Add(data.Row(i), sums.AsSpan(labels[i] * d, d));
                counts[labels[i]]++;
            }
            for (int c = 0; c < k; c++)
                if (counts[c] > 0) // an emptied cluster keeps its old centre
                {
                    var centre = centres.AsSpan(c * d, d);
                    sums.AsSpan(c * d, d).CopyTo(centre);
                    VectorMath.Scale(1f / counts[c], centre);
                }
        }
        return new Partition(labels) { Centroids = EmbeddingMatrix.FromValues(k, d, centres), Iterations = iterations };
    }
}
