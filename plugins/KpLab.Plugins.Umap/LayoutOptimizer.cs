namespace KpLab.Plugins.Umap;

/// <summary>The edges the layout samples: head → tail with the epochs between two samples of each.</summary>
/// <param name="Heads">Source vertex of each edge (a row of the head layout), ascending.</param>
/// <param name="Tails">Target vertex of each edge (a row of the tail layout).</param>
/// <param name="EpochsPerSample">Epochs between two samples of each edge: the heaviest edge is sampled every epoch.</param>
internal sealed record LayoutEdges(int[] Heads, int[] Tails, double[] EpochsPerSample)
{
    /// <summary>
    /// The edges of <paramref name="graph"/> whose weight is at least its largest weight / <paramref name="epochs"/>
    /// (lighter ones would never be sampled), with umap-learn's <c>make_epochs_per_sample</c>.
    /// </summary>
    public static LayoutEdges From(FuzzyGraph graph, int epochs)
    {
        float max = graph.MaxWeight();
        float threshold = max / epochs;
        var heads = new List<int>();
        var tails = new List<int>();
        var perSample = new List<double>();
        for (int i = 0; i < graph.Rows; i++)
            for (int e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
            {
                if (graph.Weights[e] < threshold) continue;
                heads.Add(i);
                tails.Add(graph.Columns[e]);
                double samples = epochs * (graph.Weights[e] / (double)max);
                perSample.Add(samples > 0 ? epochs / samples : -1);
            }
        return new LayoutEdges([.. heads], [.. tails], [.. perSample]);
    }
}

/// <summary>
/// UMAP's layout optimisation (umap-learn's <c>optimize_layout_euclidean</c>): stochastic gradient descent on the
/// fuzzy-set cross-entropy, sampling each edge in proportion to its weight, pulling its two ends together with
/// gradient −2ab d^{2(b−1)} / (1 + a d^{2b}) and pushing the head from <c>negativeSampleRate</c> random vertices per
/// sample with 2γb / ((0.001 + d²)(1 + a d^{2b})), each coordinate's step clipped to ±4, the learning rate falling
/// linearly to 0 over the epochs.
/// </summary>
/// <remarks>
/// Deterministic for a seed and a thread count (umap-learn's parallel layout is not): the head vertices are split into
/// as many contiguous blocks as threads, each with its own random stream. Within an epoch a block moves its own
/// vertices at once (sequential SGD, exactly umap-learn's order on one thread) and sees other blocks' vertices as they
/// were when the epoch began; what it would move in other blocks (the tail of an edge) is summed into its own buffer
/// and added after the epoch in block order. So no two threads ever write the same memory, and nothing depends on
/// scheduling.
/// </remarks>
internal sealed class LayoutOptimizer(double a, double b, double gamma, int negativeSampleRate)
{
    private const float Clip = 4f;

    /// <summary>
    /// Optimises <c>head</c> (rows × dim, row-major) in place over <c>epochs</c> epochs from learning rate
    /// <c>initialAlpha</c>; <c>tail</c> (<c>tailCount</c> rows) is the same array when laying out one set. When
    /// <c>moveOther</c>, an edge also moves its tail (fitting); otherwise only its head moves (placing new rows against
    /// a fixed layout). <c>threads</c> and <c>seed</c> fix the result.
    /// </summary>
    public void Optimize(float[] head, float[] tail, int dim, int tailCount, LayoutEdges edges, int epochs, double initialAlpha,
        bool moveOther, int threads, int seed, CancellationToken cancellationToken)
    {
        bool shared = ReferenceEquals(head, tail);
        int headCount = head.Length / dim;
        int m = edges.Heads.Length;
        int blocks = Math.Max(1, Math.Min(threads, headCount / 256));
        // Block c owns head vertices [bounds[c], bounds[c + 1]) and the edges whose head is among them.
        var bounds = new int[blocks + 1];
        for (int c = 0; c <= blocks; c++) bounds[c] = (int)((long)headCount * c / blocks);
        var edgeBounds = new int[blocks + 1];
        for (int c = 0; c <= blocks; c++) edgeBounds[c] = LowerBound(edges.Heads, bounds[c]);

        var epochOfNextSample = (double[])edges.EpochsPerSample.Clone();
        var perNegative = edges.EpochsPerSample.Select(e => e / Math.Max(negativeSampleRate, 1e-300)).ToArray();
        var epochOfNextNegative = (double[])perNegative.Clone();
        var states = new TauRandom[blocks];
        for (int c = 0; c < blocks; c++) states[c] = new TauRandom(seed, c);
        bool synchronised = blocks > 1 && shared && moveOther;
        float[]? snapshot = blocks > 1 && shared ? new float[head.Length] : null;
        var deltas = synchronised ? Enumerable.Range(0, blocks).Select(_ => new float[head.Length]).ToArray() : null;

        double alpha = initialAlpha;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (snapshot is not null) Array.Copy(head, snapshot, head.Length);
            var step = (float)alpha;
            int n = epoch;
            void RunBlock(int c)
            {
                var own = (bounds[c], bounds[c + 1]);
                var view = new Views(head, snapshot is null ? tail : snapshot, shared, own);
                var delta = deltas?[c];
                ref var random = ref states[c];
                for (int i = edgeBounds[c]; i < edgeBounds[c + 1]; i++)
                {
                    if (epochOfNextSample[i] > n) continue;
                    int j = edges.Heads[i], k = edges.Tails[i];
                    var current = head.AsSpan(j * dim, dim);
                    var other = view.Tail(k, dim);
                    float distSquared = SquaredDistance(current, other);
                    float coefficient = distSquared > 0f
                        ? (float)(-2.0 * a * b * Math.Pow(distSquared, b - 1.0) / (a * Math.Pow(distSquared, b) + 1.0))
                        : 0f;
                    bool ownTail = shared && k >= own.Item1 && k < own.Item2;
                    for (int d = 0; d < dim; d++)
                    {
                        float gradient = Math.Clamp(coefficient * (current[d] - other[d]), -Clip, Clip);
                        current[d] += gradient * step;
                        if (!moveOther) continue;
                        if (!synchronised || ownTail) head[k * dim + d] -= gradient * step;
                        else delta![k * dim + d] -= gradient * step;
                    }
                    epochOfNextSample[i] += edges.EpochsPerSample[i];

                    int negatives = (int)((n - epochOfNextNegative[i]) / perNegative[i]);
                    for (int s = 0; s < negatives; s++)
                    {
                        int target = (int)(random.Next() % (uint)tailCount);
                        var far = view.Tail(target, dim);
                        distSquared = SquaredDistance(current, far);
                        if (distSquared > 0f)
                            coefficient = (float)(2.0 * gamma * b / ((0.001 + distSquared) * (a * Math.Pow(distSquared, b) + 1.0)));
                        else if (shared && j == target) continue;
                        else coefficient = 0f;
                        for (int d = 0; d < dim; d++)
                        {
                            float gradient = coefficient > 0f ? Math.Clamp(coefficient * (current[d] - far[d]), -Clip, Clip) : Clip;
                            current[d] += gradient * step;
                        }
                    }
                    epochOfNextNegative[i] += negatives * perNegative[i];
                }
            }
            if (blocks == 1) RunBlock(0);
            else Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, RunBlock);
            if (deltas is not null)
                foreach (var delta in deltas)
                {
                    for (int i = 0; i < head.Length; i++) head[i] += delta[i];
                    Array.Clear(delta);
                }
            alpha = initialAlpha * (1.0 - (double)(epoch + 1) / epochs);
        }
    }

    /// <summary>Where a block reads a tail vertex: its own vertices live, other blocks' from the epoch's snapshot.</summary>
    private readonly struct Views(float[] live, float[] frozen, bool shared, (int Start, int End) own)
    {
        public ReadOnlySpan<float> Tail(int vertex, int dim) =>
            (shared && vertex >= own.Start && vertex < own.End ? live : frozen).AsSpan(vertex * dim, dim);
    }

    private static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0f;
        for (int d = 0; d < x.Length; d++)
        {
            float difference = x[d] - y[d];
            sum += difference * difference;
        }
        return sum;
    }

    private static int LowerBound(int[] sorted, int value)
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

/// <summary>A Tausworthe generator (three combined LFSRs, L'Ecuyer 1996), the kind umap-learn samples negatives with: fast and with a small state.</summary>
internal struct TauRandom
{
    private uint _s1, _s2, _s3;

    public TauRandom(int seed, int stream)
    {
        // SplitMix64 spreads the seed and stream over the three states; each must exceed its LFSR's minimum.
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)stream + 1) * 0xBF58476D1CE4E5B9UL;
        _s1 = Mix(ref z) | 2u;
        _s2 = Mix(ref z) | 8u;
        _s3 = Mix(ref z) | 16u;
    }

    public uint Next()
    {
        _s1 = ((_s1 & 4294967294u) << 12) ^ (((_s1 << 13) ^ _s1) >> 19);
        _s2 = ((_s2 & 4294967288u) << 4) ^ (((_s2 << 2) ^ _s2) >> 25);
        _s3 = ((_s3 & 4294967280u) << 17) ^ (((_s3 << 3) ^ _s3) >> 11);
        return _s1 ^ _s2 ^ _s3;
    }

    private static uint Mix(ref ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        ulong x = z;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (uint)(x ^ (x >> 31));
    }
}
