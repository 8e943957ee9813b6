using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics;

/// <summary>What external metrics do with predicted noise (label -1).</summary>
public enum NoiseHandling
{
    /// <summary>Noise is one more cluster (scikit-learn's behaviour for label -1).</summary>
    Cluster,

    /// <summary>Rows with predicted -1 are dropped before scoring.</summary>
    Exclude,
}

/// <summary>One non-zero cell of a contingency table.</summary>
/// <param name="Class">Expert label code (row).</param>
/// <param name="Cluster">Dense cluster code (column).</param>
/// <param name="Count">Rows with that label in that cluster.</param>
internal readonly record struct ContingencyCell(int Class, int Cluster, long Count);

/// <summary>
/// The sparse contingency table of expert labels (rows, scikit-learn's <c>labels_true</c>) against predicted clusters
/// (columns), built in O(n + cells): only non-zero cells are stored, so all-singleton partitions stay linear.
/// </summary>
internal sealed class ContingencyTable
{
    private ContingencyTable(string[] classNames, int[] clusterLabels, long[] classSizes, long[] clusterSizes, ContingencyCell[] cells, long total)
    {
        ClassNames = classNames;
        ClusterLabels = clusterLabels;
        ClassSizes = classSizes;
        ClusterSizes = clusterSizes;
        Cells = cells;
        Total = total;
    }

    /// <summary>Expert label of each row (only labels that occur after noise handling), sorted.</summary>
    public string[] ClassNames { get; }

    /// <summary>Predicted label of each column, ascending (noise -1 first when kept).</summary>
    public int[] ClusterLabels { get; }

    public long[] ClassSizes { get; }

    public long[] ClusterSizes { get; }

    /// <summary>Non-zero cells, ordered by class then cluster.</summary>
    public ContingencyCell[] Cells { get; }

    /// <summary>Number of rows scored.</summary>
    public long Total { get; }

    public int ClassCount => ClassSizes.Length;

    public int ClusterCount => ClusterSizes.Length;

    /// <summary>Builds the table for <paramref name="metric"/> from the input's predicted partition and expert labels.</summary>
    /// <exception cref="ArgumentException">A part is missing, lengths differ, or no rows are left to score.</exception>
    public static ContingencyTable From(EvaluationInput input, string metric, NoiseHandling noise)
    {
        ArgumentNullException.ThrowIfNull(input);
        var predicted = input.RequirePredicted(metric).Labels;
        var truth = input.RequireTruth(metric);
        if (predicted.Length != truth.Count)
            throw new ArgumentException($"Metric '{metric}': Predicted has {predicted.Length} rows but Truth has {truth.Count}.");
        if (predicted.Length == 0)
            throw new ArgumentException($"Metric '{metric}': the input is empty (0 rows).");
        var table = Build(predicted, truth.Codes, truth.Names, noise);
        if (table.Total == 0)
            throw new ArgumentException($"Metric '{metric}': every row is noise (-1) and noise is excluded; nothing is left to score.");
        return table;
    }

    /// <summary>Builds the table from predicted labels and expert label codes.</summary>
    public static ContingencyTable Build(IReadOnlyList<int> predicted, IReadOnlyList<int> classCodes, IReadOnlyList<string> classNames, NoiseHandling noise)
    {
        int n = predicted.Count;
        var keep = new List<int>(n);
        for (int i = 0; i < n; i++)
            if (noise == NoiseHandling.Cluster || predicted[i] != -1) keep.Add(i);

        // Dense codes for clusters and for the classes that remain, both in sorted order (np.unique).
        var clusterLabels = keep.Select(i => predicted[i]).Distinct().Order().ToArray();
        var clusterCode = new Dictionary<int, int>(clusterLabels.Length);
        for (int j = 0; j < clusterLabels.Length; j++) clusterCode[clusterLabels[j]] = j;
        var presentClass = new int[classNames.Count];
        Array.Fill(presentClass, -1);
        foreach (var i in keep) presentClass[classCodes[i]] = 0;
        var names = new List<string>();
        for (int c = 0; c < presentClass.Length; c++)
            if (presentClass[c] == 0) { presentClass[c] = names.Count; names.Add(classNames[c]); }

        int classes = names.Count, clusters = clusterLabels.Length;
        var classSizes = new long[classes];
        var clusterSizes = new long[clusters];
        // Counting sort by (class, cluster): bucket rows by class, then count clusters within each class with a
        // reusable per-cluster counter, so the work is O(n + cells) whatever the table's dense size.
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++) byClass[c] = [];
        foreach (var i in keep)
        {
            int c = presentClass[classCodes[i]], k = clusterCode[predicted[i]];
            byClass[c].Add(k);
            classSizes[c]++;
            clusterSizes[k]++;
        }
        var counter = new long[clusters];
        var cells = new List<ContingencyCell>();
        var touched = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            touched.Clear();
            foreach (var k in byClass[c])
            {
                if (counter[k]++ == 0) touched.Add(k);
            }
            touched.Sort();
            foreach (var k in touched)
            {
                cells.Add(new ContingencyCell(c, k, counter[k]));
                counter[k] = 0;
            }
        }
        return new ContingencyTable(names.ToArray(), clusterLabels, classSizes, clusterSizes, cells.ToArray(), keep.Count);
    }

    /// <summary>The table as a <see cref="ResultTable"/>: one row per expert label, one column per cluster.</summary>
    public ResultTable ToResultTable(string name = "contingency")
    {
        var columns = new List<string> { "label" };
        columns.AddRange(ClusterLabels.Select(k => k == -1 ? "noise" : $"cluster {k}"));
        var rows = new object?[ClassCount][];
        for (int c = 0; c < ClassCount; c++)
        {
            rows[c] = new object?[ClusterCount + 1];
            rows[c][0] = ClassNames[c];
            for (int k = 0; k < ClusterCount; k++) rows[c][k + 1] = 0L;
        }
        foreach (var cell in Cells) rows[cell.Class][cell.Cluster + 1] = cell.Count;
        return new ResultTable(name, columns, rows);
    }
}
