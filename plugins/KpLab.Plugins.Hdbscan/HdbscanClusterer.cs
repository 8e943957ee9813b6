using System.Runtime.InteropServices;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Hdbscan;

/// <summary>
/// HDBSCAN* (Campello et al. 2013, 2015) as the Python hdbscan library and R dbscan implement it: core distances to the
/// minSamples-th nearest row (counting the row itself, as R's <c>hdbscan(x, minPts)</c>), Prim's minimum spanning
/// tree of the mutual reachability graph (exact double distances; up to 8,192 rows, while 4·n² bytes fit the memory
/// budget, one float32 Gram matrix bounds every distance and only undecided pairs are measured exactly, see
/// <see cref="GramDistanceBounds"/>; above that <see cref="BlockedReachabilityTree"/>: exact kNN lists, Borůvka and one
/// all-pairs pass over GEMM tiles, in O(n·(d + k)) memory, with the same tree in the same order), its
/// single-linkage tree, the condensed tree, excess-of-mass or leaf selection with an optional ε, membership
/// probabilities and GLOSH outlier scores. Labels are -1 for noise and 0.. in order of cluster id.
/// </summary>
[KpLabPlugin(PluginKind.Clusterer, "hdbscan",
    Description = "HDBSCAN* density clustering with noise, membership probabilities, GLOSH outlier scores and the condensed tree.")]
public sealed partial class HdbscanClusterer : IClusterer
{
    private const string Name = "hdbscan";
    // Up to this many rows core distances and the tree come from one Gram matrix (GramDistanceBounds, 4·n² bytes, as
    // long as it fits the memory budget); above it the blocked path (two passes of GEMM tiles, O(n·(d + k)) memory)
    // is faster: measured side by side, 9.8 CPU-s against more than 100 at n = 20,000, d = 384.
    internal const int MaxGramRows = 8192;
    private readonly HdbscanOptions _options;
    private readonly PluginContext _context;

    /// <summary>Extras key of the per-row core distances (a <c>double[]</c>).</summary>
    [Obsolete("Use Partition.CoreDistances.")]
    public const string CoreDistancesKey = "coreDistances";

    public HdbscanClusterer(HdbscanOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        _options = options;
        _context = context;
    }

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => Fit(data, cancellationToken, out _);

    private Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken, out FittedTree fitted)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows, depth = data.Columns;
        data.ThrowIfEmptyOrNonFinite(Name);
        int minSamples = _options.MinSamples ?? _options.MinClusterSize;
        if (_options.MinClusterSize > n)
            throw new ArgumentException($"{Name}: minClusterSize = {_options.MinClusterSize} exceeds the number of rows ({n}).", nameof(data));
        if (minSamples > n)
            throw new ArgumentException($"{Name}: minSamples = {minSamples} exceeds the number of rows ({n}).", nameof(data));
        var measure = _options.Metric == HdbscanMetric.Cosine ? PairwiseMeasure.CosineDistance : PairwiseMeasure.Euclidean;
        var norms = measure == PairwiseMeasure.CosineDistance ? ExactDistances.Norms(data.Values, depth) : [];
        if (measure == PairwiseMeasure.CosineDistance && Array.IndexOf(norms, 0.0) is var zero and >= 0)
            throw new ArgumentException($"{Name}: row {zero} is all zeros; its cosine distance is undefined.", nameof(data));

        double[] core;
        PrimEdges mst;
        var budget = _options.BudgetIn(_context);
        // Besides the tree (O(n)): the Gram matrix and its copy of the data, or the kNN candidate lists.
        long gramPeak = 4L * n * n + 4L * n * depth + 64L * n + KernelParallelism.Current * 16L * n;
        long searchPeak = BlockedReachabilityTree.PeakBytes(n, depth, minSamples, KernelParallelism.Current);
        budget.EnsureFits(Name, searchPeak, $"HDBSCAN of {n} rows with minSamples = {minSamples}",
            "Use a smaller minSamples, cluster a sample, or raise memoryBudgetGb.");
        (core, mst) = budget.Guard(Name, $"HDBSCAN of {n} rows", () =>
        {
            if (!_options.BlockedTree && n <= MaxGramRows && gramPeak <= budget.Bytes)
            {
                // One Gram matrix serves both the core distances and the spanning tree.
                Report("core distances", 0);
                var distances = GramDistanceBounds.Compute(data.Values, depth, measure, cancellationToken);
                var gramCore = distances.KthNearest(minSamples, cancellationToken);
                Report("spanning tree", 0);
                var prim = DenseSpanningTree.Prim(distances, gramCore, cancellationToken);
                return (gramCore, new PrimEdges(prim.From, prim.To, prim.Weights));
            }
            var (array, offset) = Storage(data);
            var blocked = BlockedReachabilityTree.Build(array, offset, n, depth, measure, minSamples, budget, Report, cancellationToken);
            return (blocked.Core, new PrimEdges(blocked.From, blocked.To, blocked.Weights));
        });
        Report("condensed tree", 0);
        cancellationToken.ThrowIfCancellationRequested();
        var (tree, joinHeight) = SingleLinkageToCondensed(n, mst);
        tree.ComputeStability(Array.ConvertAll(joinHeight, h => h > 0 ? 1.0 / h : double.PositiveInfinity));
        var selected = SelectClusters(tree);
        var labels = Label(tree, selected);
        var probabilities = _options.Probabilities == MembershipModel.Lambda
            ? LambdaProbabilities(tree, selected, labels)
            : CoreDistanceProbabilities(core, labels);
        Report("condensed tree", 1);
        fitted = new FittedTree(tree, selected, core, minSamples, measure);
        return new Partition(labels)
        {
            Probabilities = probabilities,
            OutlierScores = OutlierScores(tree, joinHeight),
            CondensedTree = new KpLab.Abstractions.CondensedTree(n,
                tree.Rows.Select(r => new CondensedTreeEdge(r.Parent, r.Child, r.Lambda, r.Size))),
            CoreDistances = core,
        };
    }

    private void Report(string stage, double fraction) => _context.Progress?.Report(new FitProgress(Name, stage, fraction));

    /// <summary>The array behind the matrix, without a copy where it has one.</summary>
    private static (float[] Array, int Offset) Storage(EmbeddingMatrix data) =>
        MemoryMarshal.TryGetArray(data.Memory, out var segment) ? (segment.Array!, segment.Offset) : (data.ToArray(), 0);

    /// <summary>A spanning tree's edges in the order Prim's algorithm added them.</summary>
    private sealed record PrimEdges(IReadOnlyList<int> From, IReadOnlyList<int> To, IReadOnlyList<double> Weights);

    /// <summary>Sorts the spanning tree's edges (stably) into a single-linkage tree and condenses it.</summary>
    private (CondensedTree Tree, double[] JoinHeight) SingleLinkageToCondensed(int n, PrimEdges mst)
    {
        int m = n - 1;
        var order = Enumerable.Range(0, m).OrderBy(e => mst.Weights[e]).ToArray();
        var left = new int[m];
        var right = new int[m];
        var height = new double[m];
        var size = new int[m];
        var joinHeight = new double[n]; // height of the merge where each row stops being a singleton
        var parent = new int[2 * n - 1];
        for (int i = 0; i < parent.Length; i++) parent[i] = i;
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        for (int i = 0; i < m; i++)
        {
            int e = order[i];
            int a = Find(mst.From[e]), b = Find(mst.To[e]);
            left[i] = a;
            right[i] = b;
            height[i] = mst.Weights[e];
            if (a < n) joinHeight[a] = height[i];
            if (b < n) joinHeight[b] = height[i];
            size[i] = (a < n ? 1 : size[a - n]) + (b < n ? 1 : size[b - n]);
            parent[a] = parent[b] = n + i;
        }
        return (CondensedTree.Build(n, left, right, height, size, _options.MinClusterSize), joinHeight);
    }

    /// <summary>hdbscan's <c>get_clusters</c>: excess of mass or leaves, then the ε merge.</summary>
    private bool[] SelectClusters(CondensedTree tree)
    {
        int count = tree.ClusterCount;
        var selected = new bool[count];
        bool allowRoot = _options.AllowSingleCluster;
        double epsilon = _options.ClusterSelectionEpsilon;
        if (_options.ClusterSelectionMethod == ClusterSelection.Eom)
        {
            var stability = (double[])tree.Stability.Clone();
            for (int c = count - 1; c >= (allowRoot ? 0 : 1); c--)
            {
                double subtree = tree.Children[c].Sum(child => stability[child]);
                if (subtree > stability[c])
                {
                    stability[c] = subtree;
                }
                else
                {
                    selected[c] = true;
                    foreach (var d in tree.Descendants(c)) selected[d] = false;
                }
            }
            if (epsilon != 0 && count > 1)
            {
                var eom = Enumerable.Range(0, count).Where(c => selected[c]).ToList();
                var chosen = eom.Count == 1 && eom[0] == 0 ? (allowRoot ? eom : []) : EpsilonSearch(tree, eom, epsilon);
                Array.Clear(selected);
                foreach (var c in chosen) selected[c] = true;
            }
        }
        else
        {
            var leaves = Enumerable.Range(1, count - 1).Where(c => tree.Children[c].Count == 0).ToList();
            if (leaves.Count == 0)
            {
                if (allowRoot) selected[0] = true;
            }
            else
            {
                foreach (var c in epsilon != 0 ? EpsilonSearch(tree, leaves, epsilon) : leaves) selected[c] = true;
            }
        }
        return selected;
    }

    /// <summary>hdbscan's <c>epsilon_search</c>: a cluster born below distance ε is replaced by its closest ancestor
    /// born above ε (or the root's child, unless a single cluster is allowed).</summary>
    private List<int> EpsilonSearch(CondensedTree tree, List<int> candidates, double epsilon)
    {
        var chosen = new List<int>();
        var processed = new HashSet<int>();
        foreach (var leaf in candidates)
        {
            double eps = 1.0 / tree.Birth[leaf];
            if (eps < epsilon)
            {
                if (processed.Contains(leaf)) continue;
                int node = leaf;
                while (true)
                {
                    int parent = tree.Parent[node];
                    if (parent == 0)
                    {
                        if (_options.AllowSingleCluster) node = 0;
                        break;
                    }
                    if (1.0 / tree.Birth[parent] > epsilon)
                    {
                        node = parent;
                        break;
                    }
                    node = parent;
                }
                if (!chosen.Contains(node)) chosen.Add(node);
                foreach (var d in tree.Descendants(node)) processed.Add(d);
            }
            else if (!chosen.Contains(leaf)) chosen.Add(leaf);
        }
        return chosen;
    }

    /// <summary>hdbscan's <c>do_labelling</c>: each row takes the selected cluster above it, else noise.</summary>
    private int[] Label(CondensedTree tree, bool[] selected)
    {
        int n = tree.Points, count = tree.ClusterCount;
        var labelOf = new int[count];
        int next = 0;
        for (int c = 0; c < count; c++) labelOf[c] = selected[c] ? next++ : -1;
        // Parents have smaller ids than their children, so one ascending pass finds each cluster's selected ancestor.
        var owner = new int[count];
        for (int c = 0; c < count; c++)
            owner[c] = c > 0 && owner[tree.Parent[c]] >= 0 ? owner[tree.Parent[c]] : selected[c] ? c : -1;
        var labels = new int[n];
        Array.Fill(labels, -1);
        double rootMaxLambda = tree.DirectMaxLambda[0];
        foreach (var row in tree.Rows)
        {
            if (row.Child >= n) continue;
            int o = owner[row.Parent - n];
            if (o > 0) labels[row.Child] = labelOf[o];
            else if (o == 0)
            {
                // The root as the single cluster keeps only rows as dense as its densest (hdbscan's rule).
                bool keep = _options.ClusterSelectionEpsilon != 0
                    ? row.Lambda >= 1.0 / _options.ClusterSelectionEpsilon
                    : row.Lambda >= rootMaxLambda;
                labels[row.Child] = keep ? labelOf[0] : -1;
            }
        }
        return labels;
    }

    private static double[] LambdaProbabilities(CondensedTree tree, bool[] selected, int[] labels)
    {
        int n = tree.Points;
        var clusterOfLabel = Enumerable.Range(0, tree.ClusterCount).Where(c => selected[c]).ToArray();
        var probabilities = new double[n];
        foreach (var row in tree.Rows)
        {
            if (row.Child >= n || labels[row.Child] < 0) continue;
            double max = tree.DirectMaxLambda[clusterOfLabel[labels[row.Child]]];
            probabilities[row.Child] = max == 0 || !double.IsFinite(row.Lambda) ? 1.0 : Math.Min(row.Lambda, max) / max;
        }
        return probabilities;
    }

    private static double[] CoreDistanceProbabilities(double[] core, int[] labels)
    {
        var maxCore = new Dictionary<int, double>();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= 0) maxCore[labels[i]] = Math.Max(maxCore.GetValueOrDefault(labels[i]), core[i]);
        var probabilities = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) continue;
            double max = maxCore[labels[i]];
            probabilities[i] = max == 0 ? 1.0 : (max - core[i]) / max;
        }
        return probabilities;
    }

    /// <summary>
    /// GLOSH (Campello et al. 2015) as R dbscan computes it: 1 − λ_row / λ_max, where λ_row = 1 / the height at which
    /// the row stops being a singleton, capped at the λ where its cluster splits, and λ_max is the largest λ_row under
    /// the cluster the row leaves; 0 where that is undefined (λ_max = 0, or λ infinite for duplicates).
    /// </summary>
    private static double[] OutlierScores(CondensedTree tree, double[] joinHeight)
    {
        int n = tree.Points;
        var splitLambda = new double[tree.ClusterCount];
        for (int c = 0; c < tree.ClusterCount; c++)
            splitLambda[c] = tree.Children[c].Count > 0 ? tree.Birth[tree.Children[c][0]] : double.PositiveInfinity;
        var lambda = new double[n];
        var owner = new int[n];
        var deaths = new double[tree.ClusterCount];
        foreach (var row in tree.Rows)
        {
            if (row.Child >= n) continue;
            int c = row.Parent - n;
            double own = joinHeight[row.Child] > 0 ? 1.0 / joinHeight[row.Child] : double.PositiveInfinity;
            lambda[row.Child] = Math.Min(own, splitLambda[c]);
            owner[row.Child] = c;
            deaths[c] = Math.Max(deaths[c], lambda[row.Child]);
        }
        for (int c = tree.ClusterCount - 1; c > 0; c--)
            deaths[tree.Parent[c]] = Math.Max(deaths[tree.Parent[c]], deaths[c]);
        var scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            double max = deaths[owner[i]];
            double score = 1.0 - lambda[i] / max;
            scores[i] = double.IsNaN(score) || max == 0 ? 0.0 : score;
        }
        return scores;
    }

}
