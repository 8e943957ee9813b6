using KpLab.TextAnalysis;

namespace KpLab.Plugins.Tfidf;

/// <summary>
/// A TF-IDF matrix fitted on a set of texts, computed as scikit-learn 1.2.1's <c>TfidfVectorizer.fit_transform</c>:
/// count n-grams, sort the vocabulary by code point, prune by document frequency and <c>max_features</c> (NumPy's
/// argsort tie rule), weight by (sublinear) tf × idf and normalise rows, in double precision.
/// </summary>
internal sealed class TfidfFit
{
    private TfidfFit(string[] vocabulary, double[] idf, SparseRows weights)
    {
        Vocabulary = vocabulary;
        Idf = idf;
        Weights = weights;
    }

    /// <summary>The features, in column order (sorted by code point).</summary>
    public string[] Vocabulary { get; }

    /// <summary>The idf of each feature (all ones without <c>useIdf</c>).</summary>
    public double[] Idf { get; }

    /// <summary>The n × |vocabulary| TF-IDF matrix.</summary>
    public SparseRows Weights { get; }

    /// <summary>Fits on <paramref name="texts"/>; an empty vocabulary gives zero columns.</summary>
    public static TfidfFit Compute(IReadOnlyList<string?> texts, TfidfOptions options, CancellationToken cancellationToken)
    {
        int n = texts.Count;
        var analyzer = new NgramAnalyzer(options.Analyzer, options.NgramMin, options.NgramMax, options.Lowercase);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var features = new List<string>();
        var rowStarts = new int[n + 1];
        var columns = new List<int>();
        var counts = new List<int>();
        var docCounts = new Dictionary<int, int>();
        for (int d = 0; d < n; d++)
        {
            if ((d & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            docCounts.Clear();
            analyzer.Analyze(texts[d], feature =>
            {
                if (!lookup.TryGetValue(feature, out int id))
                {
                    id = features.Count;
                    var key = feature.ToString();
                    features.Add(key);
                    ids.Add(key, id);
                }
                docCounts[id] = docCounts.GetValueOrDefault(id) + 1;
            });
            foreach (var (id, count) in docCounts)
            {
                columns.Add(id);
                counts.Add(options.Binary ? 1 : count);
            }
            rowStarts[d + 1] = columns.Count;
        }

        // Document and total frequencies per feature, then the kept features in sorted order.
        int v = features.Count;
        var df = new long[v];
        var tf = new long[v];
        for (int k = 0; k < columns.Count; k++)
        {
            df[columns[k]]++;
            tf[columns[k]] += counts[k];
        }
        var order = Enumerable.Range(0, v).ToArray();
        Array.Sort(features.ToArray(), order, PythonText.CodePointOrder);
        var kept = SelectFeatures(order, df, tf, n, options);

        var newIndex = new int[v];
        Array.Fill(newIndex, -1);
        for (int j = 0; j < kept.Length; j++) newIndex[kept[j]] = j;
        var vocabulary = kept.Select(id => features[id]).ToArray();
        var idf = new double[kept.Length];
        for (int j = 0; j < kept.Length; j++)
        {
            double dfj = df[kept[j]], docs = n;
            if (options.SmoothIdf) { dfj += 1; docs += 1; }
            idf[j] = options.UseIdf ? Math.Log(docs / dfj) + 1.0 : 1.0;
        }
        return new TfidfFit(vocabulary, idf, Weigh(n, kept.Length, rowStarts, columns, counts, newIndex, idf, options));
    }

    // sklearn's _limit_features on the sorted vocabulary: df bounds, then the top max_features by total count.
    private static int[] SelectFeatures(int[] sorted, long[] df, long[] tf, int n, TfidfOptions options)
    {
        double maxDocs = options.MaxDf <= 1 ? options.MaxDf * n : options.MaxDf;
        double minDocs = options.MinDf < 1 ? options.MinDf * n : options.MinDf;
        if (maxDocs < minDocs)
            throw new ArgumentException($"tfidf: maxDf ({options.MaxDf}) allows fewer texts ({maxDocs}) than minDf ({options.MinDf}) requires ({minDocs}).");
        var masked = sorted.Where(id => df[id] <= maxDocs && df[id] >= minDocs).ToArray();
        if (options.MaxFeatures is int limit && masked.Length > limit)
        {
            var negated = masked.Select(id => -tf[id]).ToArray();
            var top = NumpyArgsort.Argsort(negated).Take(limit).ToArray();
            Array.Sort(top); // positions in the sorted vocabulary keep their order
            masked = top.Select(p => masked[p]).ToArray();
        }
        return masked;
    }

    private static SparseRows Weigh(int n, int width, int[] rowStarts, List<int> columns, List<int> counts, int[] newIndex,
        double[] idf, TfidfOptions options)
    {
        var starts = new int[n + 1];
        var indices = new List<int>(columns.Count);
        var values = new List<double>(columns.Count);
        var row = new List<(int Column, double Value)>();
        for (int d = 0; d < n; d++)
        {
            row.Clear();
            for (int k = rowStarts[d]; k < rowStarts[d + 1]; k++)
            {
                int j = newIndex[columns[k]];
                if (j < 0) continue;
                double t = counts[k];
                if (options.SublinearTf) t = Math.Log(t) + 1.0;
                row.Add((j, t * idf[j]));
            }
            row.Sort((a, b) => a.Column.CompareTo(b.Column));
            double norm = options.Norm switch
            {
                TfidfNorm.L2 => Math.Sqrt(row.Sum(e => e.Value * e.Value)),
                TfidfNorm.L1 => row.Sum(e => Math.Abs(e.Value)),
                _ => 1.0,
            };
            if (norm == 0) norm = 1.0;
            foreach (var (column, value) in row)
            {
                indices.Add(column);
                values.Add(value / norm);
            }
            starts[d + 1] = indices.Count;
        }
        return new SparseRows(n, width, starts, indices.ToArray(), values.ToArray());
    }
}
