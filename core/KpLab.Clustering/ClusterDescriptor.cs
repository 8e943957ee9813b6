namespace KpLab.Clustering;

/// <summary>How many answers of a cluster carry one expert label.</summary>
/// <param name="Label">The expert label.</param>
/// <param name="Count">Its number of answers in the cluster (0 included, so every cluster lists every label).</param>
public sealed record LabelCount(string Label, int Count);

/// <summary>An answer that represents its cluster: one of those nearest the cluster's centroid.</summary>
/// <param name="Row">The answer's row in the unit (the index into its texts, embeddings and partition).</param>
/// <param name="Text">The answer's text.</param>
/// <param name="Cosine">Cosine similarity between the answer's embedding and the cluster's centroid.</param>
public sealed record RepresentativeAnswer(int Row, string Text, double Cosine);

/// <summary>What one cluster holds: its size, its label mix, its top terms and its most representative answers.</summary>
/// <param name="Cluster">The cluster label; -1 is noise, described as a class of its own.</param>
/// <param name="Size">Number of answers in it.</param>
/// <param name="LabelCounts">Answers per expert label, every label of the unit in the same order for every cluster
/// (the labels' quality order when they carry one, then the others in ordinal order); empty without labels.</param>
/// <param name="TopTerms">Its top terms by class-based TF-IDF (<see cref="ClassTfidf.TopTerms"/>), highest first.</param>
/// <param name="Representatives">Its answers nearest the centroid, most similar first (<see cref="ClusterDescriptors.Describe"/>).</param>
public sealed record ClusterDescriptor(int Cluster, int Size, IReadOnlyList<LabelCount> LabelCounts,
    IReadOnlyList<TermScore> TopTerms, IReadOnlyList<RepresentativeAnswer> Representatives)
{
    /// <summary>Whether this is the noise class (cluster -1).</summary>
    public bool IsNoise => Cluster < 0;

    /// <summary>The count of <paramref name="label"/> (0 when it is not listed).</summary>
    public int CountOf(string label) => LabelCounts.FirstOrDefault(c => c.Label == label)?.Count ?? 0;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{(IsNoise ? "noise" : $"cluster {Cluster}")} ({Size}): {string.Join(", ", TopTerms.Select(t => t.Term))}";
}
