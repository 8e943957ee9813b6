using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Clustering;

/// <summary>
/// Describes what each cluster of a partition holds, for reading clusters as knowledge profiles: its size, its mix of
/// expert labels, its top terms by class-based TF-IDF (<see cref="ClassTfidf"/>, BERTopic's topic words) and its most
/// representative answers.
/// </summary>
public static class ClusterDescriptors
{
    /// <summary>
    /// One descriptor per class of <paramref name="partition"/>, noise (-1) first when present, then the clusters by
    /// ascending label. Representative answers are the <paramref name="representatives"/> members with the highest cosine
    /// similarity to the cluster's centroid, the mean of its members' unit-normalised embeddings (in double; a zero row
    /// stays zero and has cosine 0, as does every member when the centroid is zero); ties go to the earlier row.
    /// BERTopic instead samples candidate documents and ranks them by c-TF-IDF similarity to the topic; KpLab uses the
    /// embedding centroid, so the representatives show what the embedder put at the cluster's centre.
    /// </summary>
    /// <param name="texts">The unit's answers, one per row (null is an empty text).</param>
    /// <param name="labels">The expert labels, one per row, or null (then every label mix is empty).</param>
    /// <param name="embeddings">The unit's embeddings, one row per answer (those the partition was computed on, or any
    /// other embedder's: the centroid is taken in this space).</param>
    /// <param name="partition">The clusters, one label per row; -1 is noise.</param>
    /// <param name="topTerms">How many top terms per cluster (default 10, BERTopic's <c>top_n_words</c>).</param>
    /// <param name="representatives">How many representative answers per cluster (default 3, as BERTopic's).</param>
    /// <param name="cleaning">How texts are cleaned before counting words (default BERTopic's English cleaning).</param>
    /// <param name="stopWords">Words left out of the counts, e.g. <see cref="ClassTfidf.EnglishStopWords"/>; null
    /// (BERTopic's default) keeps every word.</param>
    /// <exception cref="ArgumentException">The inputs differ in rows, or an embedding value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topTerms"/> or <paramref name="representatives"/> is negative.</exception>
    public static IReadOnlyList<ClusterDescriptor> Describe(IReadOnlyList<string?> texts, LabelVector? labels,
        EmbeddingMatrix embeddings, Partition partition, int topTerms = 10, int representatives = 3,
        ClassTfidfCleaning cleaning = ClassTfidfCleaning.English, IReadOnlySet<string>? stopWords = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(topTerms);
        ArgumentOutOfRangeException.ThrowIfNegative(representatives);
        int n = partition.Count;
        if (texts.Count != n)
            throw new ArgumentException($"Cluster descriptors: {texts.Count} texts but the partition has {n} rows.", nameof(texts));
        if (embeddings.Rows != n)
            throw new ArgumentException($"Cluster descriptors: the embeddings have {embeddings.Rows} rows but the partition {n}.", nameof(embeddings));
        if (labels is not null && labels.Count != n)
            throw new ArgumentException($"Cluster descriptors: {labels.Count} labels but the partition has {n} rows.", nameof(labels));
        embeddings.ThrowIfNonFinite("Cluster descriptors");

        var tfidf = ClassTfidf.Fit(texts, partition.Labels, cleaning, stopWords);
        var labelOrder = labels is null ? [] : LabelOrder(labels);
        var result = new List<ClusterDescriptor>(tfidf.Classes.Count);
        foreach (int cluster in tfidf.Classes)
        {
            var members = Enumerable.Range(0, n).Where(i => partition.Labels[i] == cluster).ToArray();
            var mix = labelOrder.Select(l => new LabelCount(l, members.Count(i => labels![i] == l))).ToArray();
            var nearest = NearestCentroid(embeddings, members, representatives)
                .Select(p => new RepresentativeAnswer(p.Row, texts[p.Row] ?? "", p.Cosine)).ToArray();
            result.Add(new ClusterDescriptor(cluster, members.Length, mix, tfidf.TopTerms(cluster, topTerms), nearest));
        }
        return result;
    }

    /// <summary>
    /// The descriptors as one table, a row per cluster: <c>cluster</c>, <c>noise</c>, <c>size</c>, one count column per
    /// label (named by the label; "label:" is put before a label that would clash with another column), <c>topTerms</c>
    /// (comma-separated, highest score first) and <c>representative1</c>, <c>representative2</c>, … (the texts).
    /// </summary>
    public static ResultTable ToTable(IReadOnlyList<ClusterDescriptor> descriptors, string name = "cluster-descriptors")
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        var labels = descriptors.SelectMany(d => d.LabelCounts.Select(c => c.Label)).Distinct(StringComparer.Ordinal).ToArray();
        int width = descriptors.Count == 0 ? 0 : descriptors.Max(d => d.Representatives.Count);
        var fixedColumns = new[] { "cluster", "noise", "size", "topTerms" }
            .Concat(Enumerable.Range(1, width).Select(k => $"representative{k}")).ToHashSet(StringComparer.Ordinal);
        var labelColumns = labels.Select(l => fixedColumns.Contains(l) || l.StartsWith("label:", StringComparison.Ordinal) ? "label:" + l : l);
        var columns = new[] { "cluster", "noise", "size" }.Concat(labelColumns).Append("topTerms")
            .Concat(Enumerable.Range(1, width).Select(k => $"representative{k}")).ToArray();
        var rows = descriptors.Select(d => (IReadOnlyList<object?>)new object?[] { d.Cluster, d.IsNoise, d.Size }
            .Concat(labels.Select(l => (object?)d.CountOf(l)))
            .Append(string.Join(", ", d.TopTerms.Select(t => t.Term)))
            .Concat(Enumerable.Range(0, width).Select(k => (object?)(k < d.Representatives.Count ? d.Representatives[k].Text : null)))
            .ToArray());
        return new ResultTable(name, columns, rows);
    }

    // The quality order's labels that occur, then the rest in the vector's (sorted) order.
    private static string[] LabelOrder(LabelVector labels)
    {
        var present = labels.Names.ToHashSet(StringComparer.Ordinal);
        var ordered = (labels.QualityOrder ?? []).Where(present.Contains).ToList();
        ordered.AddRange(labels.Names.Where(l => !ordered.Contains(l)));
        return ordered.ToArray();
    }

    private static IEnumerable<(int Row, double Cosine)> NearestCentroid(EmbeddingMatrix embeddings, int[] members, int count)
    {
        var norms = members.Select(i => Math.Sqrt(WideningSums.Dot(embeddings.Row(i), embeddings.Row(i)))).ToArray();
        var centroid = new double[embeddings.Columns];
        for (int k = 0; k < members.Length; k++)
            if (norms[k] > 0) WideningSums.ScaleAddTo(1.0 / norms[k], embeddings.Row(members[k]), centroid);
        for (int j = 0; j < centroid.Length; j++) centroid[j] /= members.Length;
        double centroidNorm = Math.Sqrt(WideningSums.Dot(centroid, centroid));
        return members
            .Select((row, k) => (Row: row, Cosine: norms[k] > 0 && centroidNorm > 0
                ? WideningSums.Dot(embeddings.Row(row), centroid) / (norms[k] * centroidNorm) : 0.0))
            .OrderByDescending(p => p.Cosine).ThenBy(p => p.Row)
            .Take(count);
    }
}
