using System.Runtime.CompilerServices;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Agglomerative;

/// <summary>
/// Agglomerative clustering that reproduces <c>scipy.cluster.hierarchy.linkage</c> merge for merge: single linkage
/// through Prim's minimum spanning tree (O(n) memory), ward/average/complete through the nearest-neighbour chain on a
/// full double-precision distance matrix (8·n² bytes: 3.2 GB at n = 20,000), and ward from 8,192 rows, or when that
/// matrix exceeds the memory budget, or with wardMethod 'centroids', through the chain on centroids in O(n·d) memory
/// (<see cref="WardCentroidChain"/>, fastcluster's linkage_vector). Average and complete linkage refuse, naming the
/// estimate and the alternatives, when their matrix exceeds the budget. Merges are sorted stably by
/// height and renumbered as SciPy does, so <see cref="Partition.MergeTree"/> equals SciPy's linkage matrix. Labels come
/// from cutting that tree; they are numbered in order of each cluster's first row.
/// </summary>
[KpLabPlugin(PluginKind.Clusterer, "agglomerative",
    Description = "Hierarchical clustering (ward, average, complete, single; euclidean or cosine) with SciPy's merge tree.")]
public sealed partial class AgglomerativeClusterer : IClusterer
{
    private const string Name = "agglomerative";
    /// <summary>Rows from which ward (wardMethod auto) runs on centroids rather than on the distance matrix.</summary>
    internal const int CentroidsFrom = 8192;
    private readonly AgglomerativeOptions _options;
    private readonly PluginContext _context;

    public AgglomerativeClusterer(AgglomerativeOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        _options = options;
        _context = context;
    }

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows;
        data.ThrowIfEmptyOrNonFinite(Name);
        if (_options.NClusters is { } k && k > n)
            throw new ArgumentException($"{Name}: nClusters = {k} exceeds the number of rows ({n}).", nameof(data));
        var measure = _options.Metric == DistanceMetric.Cosine ? PairwiseMeasure.CosineDistance : PairwiseMeasure.Euclidean;
        if (measure == PairwiseMeasure.CosineDistance)
        {
            var norms = ExactDistances.Norms(data.Values, data.Columns);
            int zero = Array.IndexOf(norms, 0.0);
            if (zero >= 0) throw new ArgumentException($"{Name}: row {zero} is all zeros; its cosine distance is undefined.", nameof(data));
        }

        var budget = _options.BudgetIn(_context);
        long matrixPeak = 8L * n * n + 48L * n;
        bool centroids = _options.Linkage == Linkage.Ward && _options.WardMethod switch
        {
            WardMethod.Centroids => true,
            WardMethod.Matrix => false,
            // Measured side by side (d = 384, scripts/bench-hierarchical): the matrix chain takes about half the CPU time
            // of the centroid chain at 2,000 rows, the centroid chain about 0.7 of the matrix's at 10,000 and 8·n² bytes
            // less memory; so the matrix below CentroidsFrom rows while it fits the budget, centroids otherwise.
            _ => n >= CentroidsFrom || matrixPeak > budget.Bytes,
        };
        if (centroids)
            budget.EnsureFits(Name, WardCentroidChain.PeakBytes(n, data.Columns), $"ward linkage on the centroids of {n} rows",
                "Cluster a sample, or raise memoryBudgetGb.");
        else if (_options.Linkage != Linkage.Single)
            budget.EnsureFits(Name, 8L * n * n + 48L * n,
                $"{_options.Linkage.ToString().ToLowerInvariant()} linkage on the full {n} x {n} double distance matrix",
                "Use linkage 'single' (O(n) memory through a spanning tree), cluster a sample, or raise memoryBudgetGb.");
        var merges = budget.Guard(Name, $"{_options.Linkage.ToString().ToLowerInvariant()} linkage of {n} rows", () => n == 1 ? []
            : _options.Linkage == Linkage.Single ? SingleLinkage(data, measure, cancellationToken)
            : centroids ? SortAndLabel(new WardCentroidChain(data.Values, n, data.Columns, cancellationToken)
                .Run(cancellationToken, f => Report("ward on centroids", f)), n)
            : NearestNeighbourChain(data, measure, _options.Linkage, f => Report("merges", f), cancellationToken));
        var tree = new MergeTree(n, merges);
        var labels = Cut(tree);
        return new Partition(labels) { MergeTree = tree };
    }

    /// <summary>Keeps the first n − nClusters merges, or those below distanceThreshold, and labels the components.</summary>
    private int[] Cut(MergeTree tree)
    {
        int n = tree.Leaves;
        int keep = _options.NClusters is { } k
            ? n - k
            : tree.Merges.Count(m => m.Distance < _options.DistanceThreshold!.Value);
        var sets = new DisjointSets(n);
        var nodeRoot = new int[n - 1];
        for (int i = 0; i < keep; i++)
        {
            var m = tree.Merges[i];
            int a = m.Left < n ? m.Left : nodeRoot[m.Left - n];
            int b = m.Right < n ? m.Right : nodeRoot[m.Right - n];
            nodeRoot[i] = sets.Union(a, b);
        }
        var labels = new int[n];
        var labelOfRoot = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            int root = sets.Find(i);
            if (!labelOfRoot.TryGetValue(root, out int label)) labelOfRoot[root] = label = labelOfRoot.Count;
            labels[i] = label;
        }
        return labels;
    }

    /// <summary>SciPy's <c>mst_single_linkage</c>: Prim's order, each edge recorded from the previously added row.</summary>
    private void Report(string stage, double fraction) => _context.Progress?.Report(new FitProgress(Name, stage, fraction));

    private Merge[] SingleLinkage(EmbeddingMatrix data, PairwiseMeasure measure, CancellationToken cancellationToken)
    {
        Report("spanning tree", 0);
        var mst = DenseSpanningTree.Prim(data.Values, data.Columns, measure, cancellationToken: cancellationToken);
        var raw = new (int X, int Y, double Height)[data.Rows - 1];
        int previous = 0;
        for (int e = 0; e < raw.Length; e++)
        {
            raw[e] = (previous, mst.To[e], mst.Weights[e]);
            previous = mst.To[e];
        }
        return SortAndLabel(raw, data.Rows);
    }

    /// <summary>
    /// SciPy's <c>nn_chain</c>: follow nearest neighbours until two clusters are mutual nearest neighbours, merge them
    /// (the new cluster takes the larger slot) and update distances with the Lance–Williams formula of the linkage, in
    /// the same floating-point operations as SciPy so that heights and tie-breaks agree. The matrix is kept full and
    /// symmetric so that a cluster's distances are one contiguous row: the scan is a SIMD first-minimum over the row
    /// (the diagonal and merged-away clusters hold +∞), and the update rewrites the merged row in SIMD and mirrors it
    /// into the column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Merge[] NearestNeighbourChain(EmbeddingMatrix data, PairwiseMeasure measure, Linkage linkage,
        Action<double> progress, CancellationToken cancellationToken)
    {
        int n = data.Rows;
        using var d = SymmetricDistanceMatrix.Compute(data.Values, data.Columns, measure, cancellationToken);
        progress(0);
        for (int i = 0; i < n; i++) d[i, i] = double.PositiveInfinity;
        var size = new double[n]; // doubles, so the SIMD update reads them directly; 0 marks a merged-away slot
        Array.Fill(size, 1.0);
        int first = 0; // the lowest active slot; slots below it are all merged away
        var chain = new int[n];
        int chainLength = 0;
        var raw = new (int X, int Y, double Height)[n - 1];

        for (int k = 0; k < n - 1; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((k & 1023) == 1023) progress((double)k / (n - 1));
            if (chainLength == 0) chain[chainLength++] = first;
            int x, y;
            double currentMin;
            while (true)
            {
                x = chain[chainLength - 1];
                y = first + FirstMinimum.IndexOf(d.Row(x)[first..]);
                currentMin = d[x, y];
                // SciPy starts from the previous chain element and replaces it only on a strictly smaller distance.
                if (chainLength > 1)
                {
                    int previous = chain[chainLength - 2];
                    if (d[x, previous] <= currentMin)
                    {
                        y = previous;
                        currentMin = d[x, previous];
                        break;
                    }
                }
                chain[chainLength++] = y;
            }
            chainLength -= 2;
            if (x > y) (x, y) = (y, x);
            double nx = size[x], ny = size[y];
            raw[k] = (x, y, currentMin);
            size[x] = 0;
            size[y] = nx + ny;
            LanceWilliamsRow.Update(linkage, d.Row(x)[first..], d.Row(y)[first..], size.AsSpan(first), currentMin, nx, ny);
            // The update leaves +∞ at x, y and every merged-away slot; mirror the row into the column of each active slot.
            d.MirrorRow(y, x, size, first);
            while (first < n && size[first] == 0) first++;
        }
        progress(1);
        return SortAndLabel(raw, n);
    }

    /// <summary>SciPy's stable sort by height and its <c>label</c> step: slots become cluster ids n + i.</summary>
    private static Merge[] SortAndLabel((int X, int Y, double Height)[] raw, int n)
    {
        var order = Enumerable.Range(0, raw.Length).OrderBy(i => raw[i].Height).ToArray(); // OrderBy is stable
        var sets = new DisjointSets(2 * n - 1);
        var merges = new Merge[raw.Length];
        for (int k = 0; k < order.Length; k++)
        {
            var (x, y, h) = raw[order[k]];
            int rx = sets.Find(x), ry = sets.Find(y);
            int node = n + k;
            sets.Attach(rx, node);
            sets.Attach(ry, node);
            merges[k] = new Merge(Math.Min(rx, ry), Math.Max(rx, ry), h, sets.SizeOf(rx) + sets.SizeOf(ry));
            sets.SetSize(node, merges[k].Size);
        }
        return merges;
    }
}
