using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
/// <para>
/// Deterministic for a seed and a thread count (umap-learn's parallel layout is not): the head vertices are split into
/// as many contiguous blocks as threads, each with its own random stream. Within an epoch a block moves its own
/// vertices at once (sequential SGD, umap-learn's order on one thread) and sees other blocks' vertices as they were
/// when the epoch began; what it would move in other blocks (the tail of an edge) is summed into its own buffer and
/// added after the epoch in block order. So no two threads ever write the same memory, and nothing depends on
/// scheduling.
/// </para>
/// <para>
/// One departure from umap-learn, for speed: the attraction of an edge sample and the repulsions of its negative
/// samples are all measured from where the head stood when the sample began, and the head moves once by their sum,
/// where umap-learn moves it after each (and the tail moves by the attraction, as there). Sequential, every step
/// waited on the one before (a power, a division and a clip); measured from one point they are independent and run
/// on the lanes of one vector, sharing one vector power (<see cref="ApproximatePower"/>). Both are stochastic estimates
/// of the same gradient; the tests hold the layout's trustworthiness and the clusters found in it to umap-learn's. The
/// negative samples are drawn from <see cref="LayoutRandom"/>, not umap-learn's Tausworthe generator (neither
/// reproduces the other's layout anyway).
/// </para>
/// </remarks>
internal sealed class LayoutOptimizer(double a, double b, double gamma, int negativeSampleRate)
{
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
        int count = Math.Max(1, Math.Min(threads, headCount / 256));
        var blockEdges = new int[count + 1];
        for (int c = 0; c <= count; c++) blockEdges[c] = LowerBound(edges.Heads, (int)((long)headCount * c / count));
        var schedule = new EdgeSchedule(edges, negativeSampleRate);
        // Fitting on several threads, each block works on its own copy of the layout, refreshed every epoch: its own
        // vertices move there, the others stay as the epoch began.
        bool privateViews = count > 1 && shared;
        var blocks = new LayoutBlock[count];
        for (int c = 0; c < count; c++)
        {
            // Block c owns head vertices [start, end) and the edges whose head is among them.
            int start = (int)((long)headCount * c / count), end = (int)((long)headCount * (c + 1) / count);
            var view = privateViews ? new float[head.Length] : head;
            blocks[c] = new LayoutBlock(view, shared ? view : tail, start, end, blockEdges[c], blockEdges[c + 1],
                schedule, dim, tailCount, moveOther, privateViews && moveOther ? new float[head.Length] : null, a, b, gamma, new LayoutRandom(seed, c));
        }

        double alpha = initialAlpha;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = (float)alpha;
            int n = epoch;
            if (count == 1) blocks[0].RunEpoch(n, step);
            else Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count }, c =>
            {
                if (privateViews) Array.Copy(head, blocks[c].Heads, head.Length);
                blocks[c].RunEpoch(n, step);
            });
            if (privateViews)
            {
                foreach (var block in blocks) block.CopyOwnTo(head);
                foreach (var block in blocks) block.AddDelta(head);
            }
            alpha = initialAlpha * (1.0 - (double)(epoch + 1) / epochs);
        }
    }

    /// <summary>When each edge is next sampled, and when its next negative samples fall due, as umap-learn keeps them.</summary>
    private sealed class EdgeSchedule(LayoutEdges edges, int negativeSampleRate)
    {
        public readonly int[] Heads = edges.Heads, Tails = edges.Tails;
        public readonly double[] EpochsPerSample = edges.EpochsPerSample;
        public readonly double[] EpochOfNextSample = (double[])edges.EpochsPerSample.Clone();
        public readonly double[] EpochsPerNegative = edges.EpochsPerSample.Select(e => e / Math.Max(negativeSampleRate, 1e-300)).ToArray();
        public readonly double[] EpochOfNextNegative = edges.EpochsPerSample.Select(e => e / Math.Max(negativeSampleRate, 1e-300)).ToArray();
    }

    /// <summary>
    /// One thread's share of an epoch: the edges whose head it owns. Head vertices live in <c>heads</c>, tails and
    /// negative samples are read from <c>tails</c> (the same array when fitting); moves of tails it does not own go to
    /// <c>delta</c>.
    /// </summary>
    /// <remarks>
    /// An edge sample has 1 + negatives terms (the edge's tail, then each negative sample), all measured from the
    /// head's position, computed <see cref="Vector{T}.Count"/> at a time on vector lanes so that one vector power serves
    /// them all. The head then moves by the terms' sum, added one term at a time in term order: so the layout is the
    /// same whatever the vector width (8 lanes with AVX2, 4 with SSE or Arm's NEON), as every lane's arithmetic is IEEE
    /// and rounds alike on x64 and Arm.
    /// </remarks>
    private sealed class LayoutBlock(float[] heads, float[] tails, int ownStart, int ownEnd, int edgeStart, int edgeEnd,
        EdgeSchedule schedule, int dim, int tailCount, bool moveOther, float[]? delta, double a, double b, double gamma, LayoutRandom random)
    {
        private const float Clip = 4f;
        // Lane i's bit: 1 << i.
        private static readonly Vector<int> LaneBits = new(Enumerable.Range(0, Vector<int>.Count).Select(i => 1 << i).ToArray());
        private readonly int[] _due = new int[edgeEnd - edgeStart];
        // Per lane, the offset of its vertex; per dimension × lane, its differences and then its gradients.
        private readonly int[] _offsets = new int[Vector<float>.Count];
        private readonly float[] _lanes = new float[dim * Vector<float>.Count];
        private readonly float[] _move = new float[dim];
        private readonly float[] _tailMove = new float[dim];
        private readonly Vector<float> _attracting = Vector.AsVectorSingle(Vector.Equals(Vector<int>.Indices, Vector<int>.Zero));
        private readonly Vector<float> _firstNumerator = Vector.ConditionalSelect(Vector.Equals(Vector<int>.Indices, Vector<int>.Zero),
            new Vector<float>((float)(-2 * a * b)), new Vector<float>((float)(2 * gamma * b)));
        private readonly Vector<float> _numerator = new((float)(2 * gamma * b));
        private LayoutRandom _random = random;

        /// <summary>Where this block's head vertices live.</summary>
        public float[] Heads => heads;

        public void RunEpoch(int epoch, float step)
        {
            var (nextSample, perSample, nextNegative, perNegative) =
                (schedule.EpochOfNextSample, schedule.EpochsPerSample, schedule.EpochOfNextNegative, schedule.EpochsPerNegative);
            var (edgeHeads, edgeTails, due) = (schedule.Heads, schedule.Tails, _due);
            // The edges due this epoch, listed first without a branch: whether an edge is due is close to a coin toss,
            // and a mispredicted branch per edge cost more than the list.
            int dueCount = 0;
            for (int e = edgeStart; e < edgeEnd; e++)
            {
                due[dueCount] = e;
                dueCount += nextSample[e] <= epoch ? 1 : 0;
            }
            for (int q = 0; q < dueCount; q++)
            {
                int i = due[q];
                int negatives = (int)((epoch - nextNegative[i]) / perNegative[i]);
                nextSample[i] += perSample[i];
                nextNegative[i] += negatives * perNegative[i];
                Sample(edgeHeads[i], edgeTails[i], negatives, step);
            }
        }

        /// <summary>One sample of the edge <paramref name="j"/> → <paramref name="k"/> with its negative samples.</summary>
        private void Sample(int j, int k, int negatives, float step)
        {
            ref float headBase = ref MemoryMarshal.GetArrayDataReference(heads);
            ref float tailBase = ref MemoryMarshal.GetArrayDataReference(tails);
            ref float laneBase = ref MemoryMarshal.GetArrayDataReference(_lanes);
            ref int offsets = ref MemoryMarshal.GetArrayDataReference(_offsets);
            var (move, tailMove) = (_move, _tailMove);
            bool shared = ReferenceEquals(heads, tails);
            int n = dim, width = Vector<float>.Count, jj = j * n, terms = 1 + negatives;
            uint vertices = (uint)tailCount;
            var (one, zero, offset) = (Vector<float>.One, Vector<float>.Zero, new Vector<float>(0.001f));
            for (int group = 0; group < terms; group += width)
            {
                // The lanes' vertices: the edge's tail first, then negative samples (umap-learn skips one that drew the
                // head itself); lanes past the last term read the tail again and count for nothing. (Not the head: when
                // placing new rows, j numbers the new rows, not the rows of the layout the lanes read.)
                int used = Math.Min(width, terms - group);
                int countedBits = (1 << used) - 1;
                for (int lane = 0; lane < width; lane++)
                {
                    int vertex = k;
                    if (group + lane > 0 && lane < used)
                    {
                        vertex = _random.NextBelow(vertices);
                        if (shared && vertex == j) countedBits &= ~(1 << lane);
                    }
                    Unsafe.Add(ref offsets, lane) = vertex * n;
                }
                var distSquared = zero;
                for (int d = 0; d < n; d++)
                {
                    var difference = new Vector<float>(Unsafe.Add(ref headBase, jj + d)) - Gather(ref tailBase, ref offsets, d);
                    difference.StoreUnsafe(ref Unsafe.Add(ref laneBase, d * width));
                    distSquared += difference * difference;
                }
                bool withTail = group == 0;
                var power = ApproximatePower.Pow(distSquared, (float)b);
                // Lane 0 of the first group attracts: −2ab·p / (d²(a·p + 1)); every other lane repels:
                // 2γb / ((0.001 + d²)(a·p + 1)).
                var attract = withTail ? _attracting : zero;
                var coefficient = (withTail ? _firstNumerator * Vector.ConditionalSelect(attract, power, one) : _numerator)
                    / ((distSquared + Vector.AndNot(offset, attract)) * Vector.FusedMultiplyAdd(new Vector<float>((float)a), power, one));
                var coincident = Vector.Equals<float>(distSquared, zero);
                // As umap-learn: no pull between coincident ends; a push that vanishes (coincident points, or γ = 0)
                // becomes the full clip.
                coefficient = Vector.AndNot(coefficient, attract & coincident);
                var fullPush = Vector.AndNot(coincident | ~Vector.GreaterThan<float>(coefficient, zero), attract);
                var counted = Vector.AsVectorSingle(Vector.Equals(new Vector<int>(countedBits) & LaneBits, LaneBits));
                var (low, high) = (new Vector<float>(-Clip), new Vector<float>(Clip));
                for (int d = 0; d < n; d++)
                {
                    ref float row = ref Unsafe.Add(ref laneBase, d * width);
                    var gradient = Vector.MinNative(Vector.MaxNative(coefficient * Vector.LoadUnsafe(ref row), low), high);
                    (Vector.ConditionalSelect(fullPush, high, gradient) & counted).StoreUnsafe(ref row);
                    // One term at a time, in term order, whatever the width.
                    float sum = withTail ? 0f : move[d];
                    for (int lane = 0; lane < used; lane++) sum += Unsafe.Add(ref row, lane);
                    move[d] = sum;
                    if (withTail) tailMove[d] = row;
                }
            }
            int kk = k * n;
            bool ownTail = shared && k >= ownStart && k < ownEnd;
            for (int d = 0; d < n; d++)
            {
                Unsafe.Add(ref headBase, jj + d) += move[d] * step;
                if (!moveOther) continue;
                if (delta is null || ownTail) Unsafe.Add(ref tailBase, kk + d) -= tailMove[d] * step;
                else delta[kk + d] -= tailMove[d] * step;
            }
        }

        /// <summary>Coordinate <paramref name="d"/> of each lane's vertex (its offset in <paramref name="offsets"/>) as a vector.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> Gather(ref float source, ref int offsets, int d)
        {
            // Built from scalars in registers: a vector load of lanes just stored one by one would wait for them.
            if (Vector<float>.Count == 8)
                return Vector256.Create(Unsafe.Add(ref source, offsets + d), Unsafe.Add(ref source, Unsafe.Add(ref offsets, 1) + d),
                    Unsafe.Add(ref source, Unsafe.Add(ref offsets, 2) + d), Unsafe.Add(ref source, Unsafe.Add(ref offsets, 3) + d),
                    Unsafe.Add(ref source, Unsafe.Add(ref offsets, 4) + d), Unsafe.Add(ref source, Unsafe.Add(ref offsets, 5) + d),
                    Unsafe.Add(ref source, Unsafe.Add(ref offsets, 6) + d), Unsafe.Add(ref source, Unsafe.Add(ref offsets, 7) + d)).AsVector();
            if (Vector<float>.Count == 4)
                return Vector128.Create(Unsafe.Add(ref source, offsets + d), Unsafe.Add(ref source, Unsafe.Add(ref offsets, 1) + d),
                    Unsafe.Add(ref source, Unsafe.Add(ref offsets, 2) + d), Unsafe.Add(ref source, Unsafe.Add(ref offsets, 3) + d)).AsVector();
            Span<float> values = stackalloc float[Vector<float>.Count];
            for (int lane = 0; lane < values.Length; lane++) values[lane] = Unsafe.Add(ref source, Unsafe.Add(ref offsets, lane) + d);
            return new Vector<float>(values);
        }

        /// <summary>Copies this block's own vertices from its copy of the layout to <paramref name="target"/>.</summary>
        public void CopyOwnTo(float[] target) => Array.Copy(heads, ownStart * dim, target, ownStart * dim, (ownEnd - ownStart) * dim);

        /// <summary>Adds this epoch's moves of other blocks' vertices to <paramref name="target"/>, and clears them.</summary>
        public void AddDelta(float[] target)
        {
            if (delta is null) return;
            for (int i = 0; i < target.Length; i++) target[i] += delta[i];
            Array.Clear(delta);
        }
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

/// <summary>
/// The layout's random stream for negative samples: SplitMix64 (Steele, Lea and Flood 2014), whose high 32 bits make a
/// draw. It passes BigCrush, and each output hangs on the one before only by an addition, so draws do not queue behind
/// each other as the steps of umap-learn's Tausworthe generator do.
/// </summary>
internal struct LayoutRandom
{
    private ulong _state;

    /// <summary>The stream <paramref name="stream"/> (a block) of seed <paramref name="seed"/>.</summary>
    public LayoutRandom(int seed, int stream) =>
        _state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)stream + 1) * 0xBF58476D1CE4E5B9UL;

    /// <summary>A draw uniform on [0, <paramref name="bound"/>): Lemire's multiply-shift of 32 random bits, no division.</summary>
    public int NextBelow(uint bound)
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong x = _state;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)(((x ^ (x >> 31)) >> 32) * bound >> 32);
    }
}
