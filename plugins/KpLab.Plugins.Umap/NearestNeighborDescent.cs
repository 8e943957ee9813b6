using KpLab.Kernels;

namespace KpLab.Plugins.Umap;

/// <summary>
/// Approximate k-nearest-neighbour graph by NN-descent (Dong, Moses and Li 2011) started from a random-projection
/// forest, as pynndescent builds it for umap-learn: <c>min(64, 5 + round(√n / 20))</c> trees with leaves of at most
/// <c>max(10, k)</c> rows, then at most <c>max(5, round(log₂ n))</c> rounds of local joins over at most 60 sampled
/// candidates per row, stopping early when a round changes fewer than 0.001 · k · n neighbour entries.
/// </summary>
/// <remarks>
/// <para>Deterministic for a seed, whatever the thread count: every random choice (tree splits, candidate sampling,
/// filling short rows) is a pure function of the seed and the indices involved, never of the order threads run in.
/// Each row keeps its k best as a sorted list under the total order (distance, index) and refuses an index it already
/// holds, so the list it ends with — the k smallest of everything offered — does not depend on the order of the offers.
/// A round proposes its updates in fixed blocks of rows against the lists as they stood at the block's start, and then
/// applies them, each thread to its own range of rows.</para>
/// <para>Distances are the kernel's SIMD <see cref="VectorMath.SquaredL2(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// (Euclidean, rooted at the end) or <see cref="VectorMath.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> of
/// L2-normalised rows (cosine distance 1 − x·y; a zero row is at distance 1 from every row, as in the exact search).</para>
/// </remarks>
internal static class NearestNeighborDescent
{
    /// <summary>Candidates sampled per row and round (umap-learn passes pynndescent 60).</summary>
    internal const int MaxCandidates = 60;

    /// <summary>A round that changes fewer than this fraction of the k · n entries ends the descent (pynndescent's delta).</summary>
    internal const double Delta = 0.001;

    /// <summary>Rows per block of a round: the updates of one block are applied before the next block proposes.</summary>
    private const int BlockRows = 2048;

    /// <summary>Rows per unit of parallel work when proposing updates; fixed, so the result is independent of threads.</summary>
    private const int ChunkRows = 128;

    /// <summary>
    /// The <paramref name="k"/> nearest rows of each row, the row itself first at distance 0, then the others
    /// ascending (ties by the lower index): <c>n × k</c> indices and distances, row-major, as the exact search returns.
    /// </summary>
    /// <param name="data">The rows, <c>n × depth</c>.</param>
    /// <param name="depth">Row length.</param>
    /// <param name="k">Neighbours per row, the row itself included; 1 ≤ k ≤ n.</param>
    /// <param name="cosine">Cosine distance rather than Euclidean.</param>
    /// <param name="seed">Fixes the forest and the sampling.</param>
    /// <param name="threads">Degree of parallelism (does not change the result).</param>
    /// <param name="cancellationToken">Checked between trees, rounds, blocks and chunks.</param>
    /// <param name="roundDone">Told after each round its number (from 1) and the most rounds there can be.</param>
    public static (int[] Indices, float[] Distances, int Rounds) Search(ReadOnlySpan<float> data, int depth, int k, bool cosine, int seed,
        int threads, CancellationToken cancellationToken, Action<int, int>? roundDone = null)
    {
        int n = data.Length / depth;
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and {n} for {n} rows.");
        var rows = data.ToArray();
        if (cosine)
            for (int i = 0; i < n; i++) VectorMath.L2Normalize(rows.AsSpan(i * depth, depth));
        var search = new Descent(rows, n, depth, k - 1, cosine, seed, Math.Max(1, threads), cancellationToken, roundDone);
        int rounds = search.Run();
        return (search.Indices(), search.Distances(), rounds);
    }

    /// <summary>A SplitMix64 finaliser over a seed and three integers: the randomness of one decision.</summary>
    internal static ulong Hash(int seed, long a, long b, long c)
    {
        ulong x = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        x = Mix(x ^ (ulong)a);
        x = Mix(x ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL);
        return Mix(x ^ (ulong)c * 0x165667B19E3779F9UL);

        static ulong Mix(ulong z)
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>One proposed neighbour pair and its distance.</summary>
    private readonly record struct Update(int P, int Q, float Distance);

    /// <summary>The state of one search: each row's m best other rows (sorted lists) with their "new" flags.</summary>
    private sealed class Descent(float[] rows, int n, int depth, int m, bool cosine, int seed, int threads, CancellationToken cancellationToken,
        Action<int, int>? roundDone)
    {
        private readonly int[] _index = Filled(n * m, -1);
        private readonly float[] _distance = Filled(n * m, float.PositiveInfinity);
        private readonly bool[] _isNew = new bool[n * m];
        private readonly CandidateSample _fresh = new(n), _old = new(n);

        /// <summary>Each row's sampled candidates (at most <see cref="MaxCandidates"/>) with their sampling keys.</summary>
        private sealed class CandidateSample(int n)
        {
            public readonly int[] Ids = new int[n * MaxCandidates];
            public readonly ulong[] Keys = new ulong[n * MaxCandidates];
            public readonly int[] Counts = new int[n];
        }

        private static T[] Filled<T>(int length, T value)
        {
            var array = new T[length];
            Array.Fill(array, value);
            return array;
        }

        private ParallelOptions Options => new() { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };

        /// <summary>The search measure: squared Euclidean, or 1 − x·y of normalised rows. Symmetric bit for bit.</summary>
        private float Distance(int p, int q)
        {
            if (p > q) (p, q) = (q, p);
            var x = rows.AsSpan(p * depth, depth);
            var y = rows.AsSpan(q * depth, depth);
            return cosine ? 1f - VectorMath.Dot(x, y) : VectorMath.SquaredL2(x, y);
        }

        /// <summary>Offers <paramref name="q"/> at <paramref name="d"/> to row <paramref name="p"/>'s list; true when it entered.</summary>
        private bool Offer(int p, int q, float d)
        {
            int start = p * m, last = start + m - 1;
            if (!Before(d, q, _distance[last], _index[last])) return false;
            for (int s = start; s <= last; s++)
                if (_index[s] == q) return false;
            int pos = last;
            while (pos > start && Before(d, q, _distance[pos - 1], _index[pos - 1]))
            {
                _distance[pos] = _distance[pos - 1];
                _index[pos] = _index[pos - 1];
                _isNew[pos] = _isNew[pos - 1];
                pos--;
            }
            _distance[pos] = d;
            _index[pos] = q;
            _isNew[pos] = true;
            return true;
        }

        /// <summary>The total order of the lists: by distance, then index (an empty slot, index −1 at +∞, is last).</summary>
        private static bool Before(float d, int q, float otherD, int otherQ) =>
            d < otherD || (d == otherD && (uint)q < (uint)otherQ);

        /// <summary>The threshold a proposal must beat to enter row <paramref name="p"/>'s list.</summary>
        private float Worst(int p) => _distance[p * m + m - 1];

        public int Run()
        {
            if (m == 0) return 0;
            InitialiseFromForest();
            FillShortRows();
            int maxRounds = Math.Max(5, (int)Math.Round(Math.Log2(n)));
            for (int round = 0; round < maxRounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long changes = LocalJoin(round);
                roundDone?.Invoke(round + 1, maxRounds);
                if (changes <= Delta * m * n) return round + 1;
            }
            return maxRounds;
        }

        /// <summary>Every pair within each leaf of the forest is offered to both rows.</summary>
        private void InitialiseFromForest()
        {
            int trees = Math.Min(64, 5 + (int)Math.Round(Math.Sqrt(n) / 20.0));
            int leafSize = Math.Max(10, m + 1);
            var forest = new RandomProjectionTree[trees];
            Parallel.For(0, trees, Options, t => forest[t] = RandomProjectionTree.Build(rows, n, depth, leafSize, cosine, seed, t, cancellationToken));
            foreach (var tree in forest)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int leaves = tree.LeafCount;
                int chunks = (leaves + ChunkRows - 1) / ChunkRows;
                var proposals = new List<Update>[chunks];
                Parallel.For(0, chunks, Options, c =>
                {
                    var list = proposals[c] = [];
                    for (int leaf = c * ChunkRows; leaf < Math.Min(leaves, (c + 1) * ChunkRows); leaf++)
                    {
                        var members = tree.Leaf(leaf);
                        for (int a = 0; a < members.Length; a++)
                            for (int b = a + 1; b < members.Length; b++)
                            {
                                int p = members[a], q = members[b];
                                float d = Distance(p, q);
                                if (d <= Worst(p) || d <= Worst(q)) list.Add(new Update(p, q, d));
                            }
                    }
                });
                Apply(proposals);
            }
        }

        /// <summary>Rows the forest left with fewer than m candidates get random ones (a stream per row).</summary>
        private void FillShortRows()
        {
            Parallel.For(0, n, Options, p =>
            {
                if (_index[p * m + m - 1] >= 0) return;
                var random = new Random((int)Hash(seed, 1, p, 0));
                for (int tries = 0; _index[p * m + m - 1] < 0 && tries < 64 * m; tries++)
                {
                    int q = random.Next(n);
                    if (q != p) Offer(p, q, Distance(p, q));
                }
                // Tiny n: offer everyone so that every slot is filled.
                for (int q = 0; _index[p * m + m - 1] < 0 && q < n; q++)
                    if (q != p) Offer(p, q, Distance(p, q));
            });
        }

        /// <summary>
        /// One round: sample each row's new and old candidates (its list's entries and the rows whose lists hold it),
        /// clear the sampled entries' new flags, then offer every new–new and new–old pair among each row's candidates.
        /// </summary>
        private long LocalJoin(int round)
        {
            var (fresh, freshCount, freshKey) = (_fresh.Ids, _fresh.Counts, _fresh.Keys);
            var (old, oldCount, oldKey) = (_old.Ids, _old.Counts, _old.Keys);
            Array.Clear(freshCount);
            Array.Clear(oldCount);
            // Each thread owns a range of rows and scans every list for entries that concern its rows.
            int parts = Math.Min(threads, Math.Max(1, n / 1024));
            Parallel.For(0, parts, Options, part =>
            {
                int lo = (int)((long)n * part / parts), hi = (int)((long)n * (part + 1) / parts);
                for (int i = 0; i < n; i++)
                    for (int s = i * m; s < i * m + m; s++)
                    {
                        int j = _index[s];
                        if (j < 0) continue;
                        // One key for the pair whichever side it is sampled from, so a row reached both ways is kept or
                        // dropped once.
                        ulong key = Hash(seed, 2 + round, Math.Min(i, j), Math.Max(i, j));
                        var (ids, keys, counts) = _isNew[s] ? (fresh, freshKey, freshCount) : (old, oldKey, oldCount);
                        if (i >= lo && i < hi) Sample(ids, keys, counts, i, j, key);
                        if (j >= lo && j < hi) Sample(ids, keys, counts, j, i, key);
                    }
            });
            Parallel.For(0, n, Options, i =>
            {
                var sampled = fresh.AsSpan(i * MaxCandidates, freshCount[i]);
                for (int s = i * m; s < i * m + m; s++)
                    if (_isNew[s] && sampled.Contains(_index[s])) _isNew[s] = false;
            });

            long changes = 0;
            int chunksPerBlock = BlockRows / ChunkRows;
            var proposals = new List<Update>[chunksPerBlock];
            for (int c = 0; c < chunksPerBlock; c++) proposals[c] = [];
            for (int block = 0; block < n; block += BlockRows)
            {
                int blockEnd = Math.Min(n, block + BlockRows);
                int chunks = (blockEnd - block + ChunkRows - 1) / ChunkRows;
                Parallel.For(0, chunks, Options, c =>
                {
                    var list = proposals[c];
                    list.Clear();
                    for (int i = block + c * ChunkRows; i < Math.Min(blockEnd, block + (c + 1) * ChunkRows); i++)
                    {
                        var newRows = fresh.AsSpan(i * MaxCandidates, freshCount[i]);
                        var oldRows = old.AsSpan(i * MaxCandidates, oldCount[i]);
                        for (int a = 0; a < newRows.Length; a++)
                        {
                            int p = newRows[a];
                            for (int b = a + 1; b < newRows.Length; b++) Propose(list, p, newRows[b]);
                            foreach (int q in oldRows)
                                if (q != p) Propose(list, p, q);
                        }
                    }
                });
                changes += Apply(proposals.AsSpan(0, chunks).ToArray());
            }
            return changes;
        }

        private void Propose(List<Update> list, int p, int q)
        {
            float d = Distance(p, q);
            if (d <= Worst(p) || d <= Worst(q)) list.Add(new Update(p, q, d));
        }

        /// <summary>Keeps the <see cref="MaxCandidates"/> entries of smallest (key, index) in row <paramref name="row"/>'s sample.</summary>
        private static void Sample(int[] ids, ulong[] keys, int[] counts, int row, int id, ulong key)
        {
            int start = row * MaxCandidates, count = counts[row];
            for (int s = start; s < start + count; s++)
                if (ids[s] == id) return;
            if (count == MaxCandidates)
            {
                int last = start + count - 1;
                if (key > keys[last] || (key == keys[last] && id > ids[last])) return;
                count--;
            }
            int pos = start + count;
            while (pos > start && (keys[pos - 1] > key || (keys[pos - 1] == key && ids[pos - 1] > id)))
            {
                keys[pos] = keys[pos - 1];
                ids[pos] = ids[pos - 1];
                pos--;
            }
            keys[pos] = key;
            ids[pos] = id;
            counts[row] = count + 1;
        }

        /// <summary>Offers every proposal to both of its rows, each thread to its own range; returns how many entered.</summary>
        private long Apply(List<Update>[] proposals)
        {
            int parts = Math.Min(threads, Math.Max(1, n / 1024));
            var changed = new long[parts];
            Parallel.For(0, parts, Options, part =>
            {
                int lo = (int)((long)n * part / parts), hi = (int)((long)n * (part + 1) / parts);
                long count = 0;
                foreach (var list in proposals)
                    foreach (var (p, q, d) in list)
                    {
                        if (p >= lo && p < hi && Offer(p, q, d)) count++;
                        if (q >= lo && q < hi && Offer(q, p, d)) count++;
                    }
                changed[part] = count;
            });
            return changed.Sum();
        }

        /// <summary>Row-major n × (m + 1) indices, the row itself first.</summary>
        public int[] Indices()
        {
            var result = new int[n * (m + 1)];
            for (int i = 0; i < n; i++)
            {
                result[i * (m + 1)] = i;
                Array.Copy(_index, i * m, result, i * (m + 1) + 1, m);
            }
            return result;
        }

        /// <summary>Row-major n × (m + 1) distances in the caller's measure, 0 first.</summary>
        public float[] Distances()
        {
            var result = new float[n * (m + 1)];
            for (int i = 0; i < n; i++)
                for (int s = 0; s < m; s++)
                {
                    float d = _distance[i * m + s];
                    result[i * (m + 1) + 1 + s] = cosine ? Math.Max(0f, d) : MathF.Sqrt(d);
                }
            return result;
        }
    }
}
