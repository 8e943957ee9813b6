using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

/// <summary>
/// Lloyd's k-means as scikit-learn 1.2 runs it (<c>_kmeans_single_lloyd</c>): each iteration assigns rows to the old
/// centres and averages them into new ones, relocating empty clusters to the rows farthest from their centres; it
/// stops when the labels repeat (strict convergence) or when the summed squared centre shift is at most the
/// tolerance, then, unless the labels repeated, assigns once more so labels match the final centres. With Hamerly's
/// bounds the same iterations skip rows whose nearest centre provably has not changed.
/// </summary>
internal sealed class LloydSolver
{
    private readonly KMeansData _data;
    private readonly int _k;
    private readonly NearestCentre _assigner;
    /// <summary>Read per use, so a solver honours the degree in force when it runs.</summary>
    private static ParallelOptions Parallelism => new() { MaxDegreeOfParallelism = KernelParallelism.Current };

    public LloydSolver(KMeansData data, int k)
    {
        _data = data;
        _k = k;
        _assigner = new NearestCentre(data.Rows, data.Columns, k);
    }

    /// <summary>Runs from <paramref name="initialCentres"/> (working space, k × d).</summary>
    /// <param name="initialCentres">The starting centres; not modified.</param>
    /// <param name="maxIterations">At most this many iterations.</param>
    /// <param name="tolerance">The absolute bound on the summed squared centre shift.</param>
    /// <param name="hamerly">Whether to use Hamerly's bounds.</param>
    /// <param name="fixedIterations">Run exactly <paramref name="maxIterations"/> iterations with no convergence test
    /// and no final assignment (what the peer benchmark times).</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    public KMeansRun Run(float[] initialCentres, int maxIterations, double tolerance, bool hamerly, bool fixedIterations = false,
        CancellationToken cancellationToken = default)
    {
        int n = _data.Rows, d = _data.Columns, k = _k;
        var centres = (float[])initialCentres.Clone();
        var next = new float[k * d];
        var labels = new int[n];
        var previous = new int[n];
        Array.Fill(labels, -1);
        Array.Fill(previous, -1);
        var shifts = new float[k];
        var bounds = hamerly ? new HamerlyBounds(n) : null;
        bool strict = false;
        int iteration;
        for (iteration = 0; iteration < maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (bounds is null) _assigner.Assign(_data.Values, n, centres, labels, accumulate: true);
            else AssignWithBounds(centres, labels, bounds, shifts, first: iteration == 0);
            UpdateCentres(centres, labels, next);
            double shift = CentreShifts(centres, next, shifts);
            (centres, next) = (next, centres);
            if (fixedIterations) continue;
            if (labels.AsSpan().SequenceEqual(previous))
            {
                strict = true;
                break;
            }
            if (shift <= tolerance) break;
            labels.CopyTo(previous, 0);
        }
        int iterations = Math.Min(iteration + 1, maxIterations);
        if (!strict && !fixedIterations) _assigner.Assign(_data.Values, n, centres, labels, accumulate: false);
        return new KMeansRun(labels, centres, Inertia(_data, centres, labels, Parallelism), iterations);
    }

    /// <summary>
    /// Sum of squared distances of rows to their centres (spherical: sum of 1 − cosine), accumulated in double per
    /// fixed tile and added in tile order.
    /// </summary>
    public static double Inertia(KMeansData data, float[] centres, int[] labels, ParallelOptions parallel)
    {
        int n = data.Rows, d = data.Columns;
        int tiles = (n + NearestCentre.TileRows - 1) / NearestCentre.TileRows;
        var partial = new double[tiles];
        Parallel.For(0, tiles, parallel, t =>
        {
            int r0 = t * NearestCentre.TileRows, r1 = Math.Min(n, r0 + NearestCentre.TileRows);
            double sum = 0;
            for (int i = r0; i < r1; i++)
            {
                var centre = centres.AsSpan(labels[i] * d, d);
                sum += data.Spherical ? 1.0 - VectorMath.Dot(data.Row(i), centre) : VectorMath.SquaredL2(data.Row(i), centre);
            }
            partial[t] = sum;
        });
        double total = 0;
        foreach (var p in partial) total += p;
        return total;
    }

    /// <summary>New centres from the per-tile sums: relocate empty clusters, average, and (spherical) normalise.</summary>
    private void UpdateCentres(float[] centres, int[] labels, float[] next)
    {
        int d = _data.Columns, k = _k;
        var counts = new int[k];
        _assigner.ReduceSums(_data.Rows, next, counts);
        RelocateEmptyClusters(centres, labels, next, counts);
        for (int j = 0; j < k; j++)
        {
            var centre = next.AsSpan(j * d, d);
            if (counts[j] > 0) VectorMath.Scale(1f / counts[j], centre);
            if (_data.Spherical) VectorMath.L2Normalize(centre);
        }
    }

    /// <summary>
    /// scikit-learn's <c>_relocate_empty_clusters_dense</c>: each empty cluster takes over, in the sums, one of the rows
    /// farthest from their (old) centres, farthest first (ties: lower row first). Labels are not changed here; the next
    /// assignment settles them.
    /// </summary>
    private void RelocateEmptyClusters(float[] centres, int[] labels, float[] sums, int[] counts)
    {
        int d = _data.Columns;
        var empty = Enumerable.Range(0, _k).Where(j => counts[j] == 0).ToArray();
        if (empty.Length == 0) return;
        var distance = new float[_data.Rows];
        for (int i = 0; i < _data.Rows; i++) distance[i] = VectorMath.SquaredL2(_data.Row(i), centres.AsSpan(labels[i] * d, d));
        var farthest = Enumerable.Range(0, _data.Rows).OrderByDescending(i => distance[i]).ThenBy(i => i).Take(empty.Length).ToArray();
        for (int e = 0; e < farthest.Length; e++)
        {
            int row = farthest[e], from = labels[row], to = empty[e];
            VectorMath.Axpy(-1f, _data.Row(row), sums.AsSpan(from * d, d));
            _data.Row(row).CopyTo(sums.AsSpan(to * d, d));
            counts[to] = 1;
            counts[from]--;
        }
    }

    /// <summary>Per-centre Euclidean shifts into <paramref name="shifts"/>; returns the sum of their squares.</summary>
    private double CentreShifts(float[] before, float[] after, float[] shifts)
    {
        int d = _data.Columns;
        double total = 0;
        for (int j = 0; j < _k; j++)
        {
            float squared = VectorMath.SquaredL2(before.AsSpan(j * d, d), after.AsSpan(j * d, d));
            shifts[j] = MathF.Sqrt(squared);
            total += squared;
        }
        return total;
    }

    /// <summary>Per-row distance bounds for Hamerly's algorithm.</summary>
    private sealed class HamerlyBounds(int rows)
    {
        /// <summary>Upper bound on the distance to the assigned centre.</summary>
        public float[] Upper { get; } = new float[rows];

        /// <summary>Lower bound on the distance to every other centre.</summary>
        public float[] Lower { get; } = new float[rows];
    }

    /// <summary>
    /// Hamerly's assignment (Hamerly 2010): bounds are loosened by the last centre shifts; a row is re-examined only
    /// when its upper bound exceeds both its lower bound and half the distance from its centre to the nearest other
    /// centre. Re-examined rows are ranked exactly as <see cref="NearestCentre.Assign"/> ranks them.
    /// </summary>
    private void AssignWithBounds(float[] centres, int[] labels, HamerlyBounds bounds, float[] shifts, bool first)
    {
        int d = _data.Columns, k = _k;
        var centreNorms = new float[k];
        MatrixRows.SquaredNorms(centres, d, centreNorms);
        var half = new float[k];
        for (int j = 0; j < k; j++)
        {
            float nearest = float.PositiveInfinity;
            for (int o = 0; o < k; o++)
                if (o != j) nearest = MathF.Min(nearest, VectorMath.SquaredL2(centres.AsSpan(j * d, d), centres.AsSpan(o * d, d)));
            half[j] = 0.5f * MathF.Sqrt(nearest);
        }
        int maxShiftIndex = 0;
        for (int j = 1; j < k; j++) if (shifts[j] > shifts[maxShiftIndex]) maxShiftIndex = j;
        float maxShift = shifts[maxShiftIndex], secondShift = 0f;
        for (int j = 0; j < k; j++) if (j != maxShiftIndex) secondShift = MathF.Max(secondShift, shifts[j]);

        Parallel.For(0, _assigner.Tiles, Parallelism, tile =>
        {
            int r0 = tile * NearestCentre.TileRows, r1 = Math.Min(_data.Rows, r0 + NearestCentre.TileRows);
            var sums = _assigner.TileSums(tile);
            var counts = _assigner.TileCounts(tile);
            sums.Clear();
            counts.Clear();
            for (int i = r0; i < r1; i++)
            {
                var x = _data.Row(i);
                bool examine = first;
                if (!first)
                {
                    int a = labels[i];
                    bounds.Upper[i] += shifts[a];
                    bounds.Lower[i] -= a == maxShiftIndex ? secondShift : maxShift;
                    float limit = MathF.Max(half[a], bounds.Lower[i]);
                    if (bounds.Upper[i] > limit)
                    {
                        bounds.Upper[i] = MathF.Sqrt(VectorMath.SquaredL2(x, centres.AsSpan(a * d, d)));
                        examine = bounds.Upper[i] > limit;
                    }
                }
                if (examine)
                {
                    // Ranked by the same kernel as the plain assignment, so Hamerly and Lloyd agree on labels.
                    NearestCentroid.Assign(x, centres, d, centreNorms, labels.AsSpan(i, 1), default);
                    int best = labels[i];
                    float second = float.PositiveInfinity;
                    for (int j = 0; j < k; j++)
                        if (j != best) second = MathF.Min(second, VectorMath.SquaredL2(x, centres.AsSpan(j * d, d)));
                    // Bounds from direct differences, which are accurate where |x|² + |c|² − 2x·c may cancel.
                    bounds.Upper[i] = MathF.Sqrt(VectorMath.SquaredL2(x, centres.AsSpan(best * d, d)));
                    bounds.Lower[i] = MathF.Sqrt(second);
                }
                VectorMath.Add(x, sums.Slice(labels[i] * d, d));
                counts[labels[i]]++;
            }
        });
    }
}
