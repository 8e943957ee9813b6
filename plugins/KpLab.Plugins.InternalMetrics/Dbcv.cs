using System.Collections.Concurrent;
using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.InternalMetrics;

/// <summary>The distance DBCV measures density with.</summary>
public enum DbcvDistance
{
    /// <summary>Euclidean distance.</summary>
    Euclidean,

    /// <summary>Cosine distance 1 − cos; rows must be non-zero.</summary>
    Cosine,
}

public sealed record DbcvOptions : MemoryBoundedOptions
{
    [Description("Distance: euclidean or cosine.")]
    public DbcvDistance Distance { get; init; } = DbcvDistance.Euclidean;
}

/// <summary>One cluster's DBCV terms (a one-row cluster counts as noise and has no row).</summary>
/// <param name="Cluster">The cluster label.</param>
/// <param name="Size">Its rows.</param>
/// <param name="Sparseness">DSC: the largest internal edge of its mutual-reachability spanning tree.</param>
/// <param name="Separation">The smallest DSPC to another cluster.</param>
/// <param name="Validity">V(C) = (separation − sparseness) / max(separation, sparseness).</param>
public sealed record DbcvRow([property: MetricKey] int Cluster, int Size, double Sparseness, double Separation, double Validity);

/// <summary>
/// Density-Based Clustering Validation (Moulavi, Jaskowiak, Campello, Zimek and Sander, SDM 2014), in [−1, 1], higher is
/// better. Per cluster C of m rows in d dimensions: each member's all-points core distance
/// (Σ_{i=2..m} (1 / KNN(o, i))^d / (m − 1))^(−1/d) (evaluated in log space, so that d = 384 does not overflow; 0 when
/// the row has a duplicate in C); a minimum spanning tree of the mutual reachability distances max(core(a), core(b),
/// d(a, b)) among its members; its internal nodes (degree &gt; 1; all members when there are none) and internal edges
/// (both ends internal; all tree edges when there are none, as the authors' MATLAB code). Density sparseness DSC(C) is
/// the largest internal edge, density separation DSPC(Ci, Cj) the smallest mutual reachability distance between
/// internal nodes of the two, V(C) = (min_j DSPC − DSC) / max(min_j DSPC, DSC) and DBCV = Σ |C| / N · V(C) with N
/// counting noise rows (-1), which lower the score. A one-row cluster has no all-points core distance and is counted as
/// noise. Memory is O(n + k · threads) beyond the input: distances are measured exactly in double when needed, never
/// stored (time O(n² d)). Rows: per cluster size, sparseness, separation and validity.
/// </summary>
[KpLabPlugin(PluginKind.Metric, "dbcv", Description = "Density-based clustering validation (Moulavi et al. 2014), noise-aware, in [-1, 1].")]
public sealed class Dbcv(DbcvOptions options, PluginContext? context = null) : IMetric<DbcvRow>
{
    private const string Name = "dbcv";
    // Below this many members a Prim step is not worth splitting across threads.
    private const int ParallelPrimThreshold = 2048;

    public MetricResult<DbcvRow> Evaluate(EvaluationInput input)
    {
        var labels = ClusterLabels.From(input, Name, NoiseHandling.Exclude);
        var cancellation = input.CancellationToken;
        var data = labels.Data;
        int n = data.Rows, d = data.Columns;
        var members = new List<int>[labels.ClusterCount];
        for (int c = 0; c < members.Length; c++) members[c] = [];
        for (int r = 0; r < labels.Count; r++) members[labels.Codes[r]].Add(labels.Rows[r]);
        var names = labels.Rows.Select(i => input.Predicted!.Labels[i]).Distinct().Order().ToArray();
        var kept = Enumerable.Range(0, members.Length).Where(c => members[c].Count >= 2).ToArray();
        int singletons = members.Length - kept.Length;
        if (kept.Length < 2)
            throw new ArgumentException($"Metric '{Name}': needs at least 2 clusters of 2 or more rows, got {kept.Length} " +
                $"(and {singletons} one-row clusters, which count as noise).");
        int k = kept.Length, largest = kept.Max(c => members[c].Count);
        long threads = KernelParallelism.Current;
        // Norms, per-row core distances and internal flags; Prim's arrays for the largest cluster; per-thread distance
        // buffers and separation minima.
        options.BudgetIn(context ?? PluginContext.Default).EnsureFits(Name,
            24L * n + 24L * largest + threads * (8L * largest + 8L * k) + 64L * k,
            $"DBCV of {n} rows in {k} clusters", "Raise memoryBudgetGb.");

        var measure = options.Distance == DbcvDistance.Cosine ? PairwiseMeasure.CosineDistance : PairwiseMeasure.Euclidean;
        var norms = measure == PairwiseMeasure.CosineDistance ? ExactDistances.Norms(data.Values, d) : [];
        if (measure == PairwiseMeasure.CosineDistance)
            foreach (var row in labels.Rows)
                if (norms[row] == 0) throw new ArgumentException($"Metric '{Name}': row {row} is all zeros; its cosine distance is undefined.");
        double Distance(int a, int b) => QueryDistances.Between(data.Row(a), norms.Length == 0 ? 0 : norms[a],
            data.Row(b), norms.Length == 0 ? 0 : norms[b], measure);

        var core = new double[n];
        var sparseness = new double[k];
        var internalRows = new List<(int Row, int Cluster)>();
        for (int j = 0; j < k; j++)
        {
            cancellation.ThrowIfCancellationRequested(); // between clusters: each is O(m² d)
            var rows = members[kept[j]];
            AllPointsCoreDistances(rows, d, core, Distance);
            var (edges, internalFlags) = InternalTree(rows, core, Distance);
            sparseness[j] = edges;
            for (int i = 0; i < rows.Count; i++)
                if (internalFlags[i]) internalRows.Add((rows[i], j));
        }
        cancellation.ThrowIfCancellationRequested();
        var separation = Separations(internalRows, k, core, Distance);

        double total = 0;
        var perCluster = new List<DbcvRow>(k);
        for (int j = 0; j < k; j++)
        {
            int size = members[kept[j]].Count;
            double validity = (separation[j] - sparseness[j]) / Math.Max(separation[j], sparseness[j]);
            total += (double)size / n * validity;
            perCluster.Add(new DbcvRow(names[kept[j]], size, sparseness[j], separation[j], validity));
        }
        return new MetricResult<DbcvRow>(Name, total, perCluster)
        {
            Components = new Dictionary<string, double>
            {
                ["clusters"] = k,
                ["noise"] = n - labels.Count + members.Where(m => m.Count == 1).Sum(m => m.Count),
                ["singletonClusters"] = singletons,
            },
        };
    }

    /// <summary>Fills <paramref name="core"/> at the cluster's rows: (Σ (1/dist)^d / (m − 1))^(−1/d) through a log-sum-exp.</summary>
    private static void AllPointsCoreDistances(List<int> rows, int d, double[] core, Func<int, int, double> distance)
    {
        int m = rows.Count;
        double logCount = Math.Log(m - 1);
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current }, () => new double[m], (i, _, logs) =>
        {
            int count = 0;
            double top = double.NegativeInfinity;
            bool duplicate = false;
            for (int j = 0; j < m && !duplicate; j++)
            {
                if (j == i) continue;
                double dist = distance(rows[i], rows[j]);
                if (dist == 0) duplicate = true;
                double log = -d * Math.Log(dist);
                logs[count++] = log;
                top = Math.Max(top, log);
            }
            if (duplicate)
            {
                core[rows[i]] = 0;
                return logs;
            }
            double sum = 0;
            for (int j = 0; j < count; j++) sum += Math.Exp(logs[j] - top);
            core[rows[i]] = Math.Exp(-(top + Math.Log(sum) - logCount) / d);
            return logs;
        }, _ => { });
    }

    /// <summary>
    /// Prim's tree of the cluster's mutual reachability graph (distances measured as needed, first minimum on ties):
    /// the largest internal edge, and which members are internal nodes.
    /// </summary>
    private static (double Sparseness, bool[] Internal) InternalTree(List<int> rows, double[] core, Func<int, int, double> distance)
    {
        int m = rows.Count;
        var inTree = new bool[m];
        var best = new double[m];
        var source = new int[m];
        Array.Fill(best, double.PositiveInfinity);
        var from = new int[m - 1];
        var to = new int[m - 1];
        var weight = new double[m - 1];
        int current = 0;
        inTree[0] = true;
        void Relax(int lo, int hi)
        {
            int a = rows[current];
            for (int v = lo; v < hi; v++)
            {
                if (inTree[v]) continue;
                double reach = Math.Max(Math.Max(core[a], core[rows[v]]), distance(a, rows[v]));
                if (reach < best[v])
                {
                    best[v] = reach;
                    source[v] = current;
                }
            }
        }
        for (int e = 0; e < m - 1; e++)
        {
            if (m >= ParallelPrimThreshold)
                Parallel.ForEach(Partitioner.Create(0, m, 512), new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current },
                    range => Relax(range.Item1, range.Item2));
            else Relax(0, m);
            int next = -1;
            for (int v = 0; v < m; v++)
                if (!inTree[v] && (next < 0 || best[v] < best[next])) next = v;
            (from[e], to[e], weight[e]) = (source[next], next, best[next]);
            inTree[next] = true;
            current = next;
        }
        var degree = new int[m];
        for (int e = 0; e < m - 1; e++)
        {
            degree[from[e]]++;
            degree[to[e]]++;
        }
        var isInternal = Array.ConvertAll(degree, g => g > 1);
        if (!isInternal.Any(x => x)) Array.Fill(isInternal, true);
        double internalMax = double.NegativeInfinity, allMax = double.NegativeInfinity;
        for (int e = 0; e < m - 1; e++)
        {
            allMax = Math.Max(allMax, weight[e]);
            if (isInternal[from[e]] && isInternal[to[e]]) internalMax = Math.Max(internalMax, weight[e]);
        }
        return (double.IsNegativeInfinity(internalMax) ? allMax : internalMax, isInternal);
    }

    /// <summary>For each cluster, the smallest mutual reachability distance from its internal nodes to another cluster's.</summary>
    private static double[] Separations(List<(int Row, int Cluster)> nodes, int k, double[] core, Func<int, int, double> distance)
    {
        var separation = new double[k];
        Array.Fill(separation, double.PositiveInfinity);
        var gate = new Lock();
        // Nodes are grouped by cluster in ascending order: each node meets the nodes of later clusters, so each pair once.
        var laterStart = new int[k];
        for (int i = nodes.Count - 1; i >= 0; i--) laterStart[nodes[i].Cluster] = i;
        for (int c = 0; c < k; c++) laterStart[c] = c + 1 < k ? laterStart[c + 1] : nodes.Count;
        Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current },
            () => Enumerable.Repeat(double.PositiveInfinity, k).ToArray(), (i, _, minima) =>
            {
                var (a, ca) = nodes[i];
                double own = double.PositiveInfinity;
                for (int j = laterStart[ca]; j < nodes.Count; j++)
                {
                    var (b, cb) = nodes[j];
                    double reach = Math.Max(Math.Max(core[a], core[b]), distance(a, b));
                    own = Math.Min(own, reach);
                    minima[cb] = Math.Min(minima[cb], reach);
                }
                minima[ca] = Math.Min(minima[ca], own);
                return minima;
            }, minima =>
            {
                lock (gate)
                    for (int c = 0; c < k; c++) separation[c] = Math.Min(separation[c], minima[c]);
            });
        return separation;
    }
}
