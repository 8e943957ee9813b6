using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

/// <summary>Initial centres: scikit-learn's greedy k-means++ and uniformly random rows.</summary>
internal static class CentroidSeeding
{
    /// <summary>
    /// Greedy k-means++ (scikit-learn's <c>_kmeans_plusplus</c>): the first centre is a uniformly random row; each
    /// further centre is the best, by resulting potential (sum of squared distances to the nearest centre), of
    /// 2 + ⌊ln k⌋ candidates drawn with probability proportional to D².
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="k">Centres to choose.</param>
    /// <param name="random">The draws.</param>
    /// <param name="cancellationToken">Checked before each centre (one pass of 2 + ln k candidates over the rows).</param>
    /// <param name="progress">Receives the fraction of centres chosen, after each centre.</param>
    public static float[] KMeansPlusPlus(KMeansData data, int k, Random random, CancellationToken cancellationToken = default,
        Action<double>? progress = null)
    {
        int n = data.Rows, d = data.Columns;
        int trials = 2 + (int)Math.Log(k);
        var centres = new float[k * d];
        int first = random.Next(n);
        data.Row(first).CopyTo(centres.AsSpan(0, d));

        var closest = new float[n];
        PairwiseKernel.Compute(data.Row(first), data.Values, d, PairwiseMeasure.SquaredEuclidean, closest);
        double potential = Sum(closest);
        var cumulative = new double[n];
        var candidates = new int[trials];
        var candidateRows = new float[trials * d];
        var distances = new float[trials * n];
        for (int c = 1; c < k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke((double)c / k);
            double running = 0;
            for (int i = 0; i < n; i++) cumulative[i] = running += closest[i];
            for (int t = 0; t < trials; t++)
            {
                // numpy.searchsorted(side='left'): the first index whose cumulative sum reaches the draw.
                int index = LowerBound(cumulative, random.NextDouble() * potential);
                candidates[t] = Math.Min(index, n - 1);
                data.Row(candidates[t]).CopyTo(candidateRows.AsSpan(t * d, d));
            }
            PairwiseKernel.Compute(candidateRows, data.Values, d, PairwiseMeasure.SquaredEuclidean, distances);
            int best = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                var row = distances.AsSpan(t * n, n);
                for (int i = 0; i < n; i++) row[i] = MathF.Min(row[i], closest[i]);
                double p = Sum(row);
                if (p < bestPotential) { bestPotential = p; best = t; }
            }
            potential = bestPotential;
            distances.AsSpan(best * n, n).CopyTo(closest);
            data.Row(candidates[best]).CopyTo(centres.AsSpan(c * d, d));
        }
        return centres;
    }

    /// <summary>k distinct rows chosen uniformly at random (a partial Fisher–Yates shuffle).</summary>
    public static float[] RandomRows(KMeansData data, int k, Random random)
    {
        int n = data.Rows, d = data.Columns;
        var order = Enumerable.Range(0, n).ToArray();
        var centres = new float[k * d];
        for (int c = 0; c < k; c++)
        {
            int pick = c + random.Next(n - c);
            (order[c], order[pick]) = (order[pick], order[c]);
            data.Row(order[c]).CopyTo(centres.AsSpan(c * d, d));
        }
        return centres;
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double total = 0;
        foreach (var v in values) total += v;
        return total;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
