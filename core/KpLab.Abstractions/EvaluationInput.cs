namespace KpLab.Abstractions;

/// <summary>
/// What a metric may look at. Each metric reads the parts it needs and names any missing one in its error
/// (use <see cref="RequirePredicted"/> and its siblings).
/// </summary>
public sealed class EvaluationInput
{
    /// <summary>The embeddings the partition was computed on (internal and geometry metrics).</summary>
    public EmbeddingMatrix? Embeddings { get; init; }

    /// <summary>The predicted partition (external and internal metrics).</summary>
    public Partition? Predicted { get; init; }

    /// <summary>Expert labels (knowledge profiles), as <c>int[]</c> or <c>string[]</c>.</summary>
    public LabelVector? Truth { get; init; }

    /// <summary>Expert labels ordered from best to worst answer quality, e.g. correct before contradictory.</summary>
    public IReadOnlyList<string>? QualityOrder { get; init; }

    /// <summary>
    /// Stops a long evaluation: metrics that take more than a moment (silhouette, kp-geometry, ...) check it at least
    /// every ~100 ms of work and throw <see cref="OperationCanceledException"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>A copy of this input with <paramref name="cancellationToken"/> (hosts hand their run's token to metrics this way).</summary>
    public EvaluationInput WithCancellation(CancellationToken cancellationToken) => new()
    {
        Embeddings = Embeddings, Predicted = Predicted, Truth = Truth, QualityOrder = QualityOrder, CancellationToken = cancellationToken,
    };

    /// <summary>The predicted partition, or an error naming <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentException">No partition was given.</exception>
    public Partition RequirePredicted(string metric) =>
        Predicted ?? throw new ArgumentException($"Metric '{metric}' needs a predicted partition (EvaluationInput.Predicted).");

    /// <summary>The expert labels, or an error naming <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentException">No labels were given.</exception>
    public LabelVector RequireTruth(string metric) =>
        Truth ?? throw new ArgumentException($"Metric '{metric}' needs expert labels (EvaluationInput.Truth).");

    /// <summary>The embeddings, or an error naming <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentException">No embeddings were given.</exception>
    public EmbeddingMatrix RequireEmbeddings(string metric) =>
        Embeddings ?? throw new ArgumentException($"Metric '{metric}' needs embeddings (EvaluationInput.Embeddings).");

    /// <summary>
    /// Checks that every given part describes the same rows, naming the metric and both lengths otherwise.
    /// </summary>
    /// <returns>The common number of rows (0 when nothing is given).</returns>
    /// <exception cref="ArgumentException">Two parts disagree in length.</exception>
    public int RequireSameLength(string metric)
    {
        var lengths = new List<(string Part, int Length)>();
        if (Embeddings is not null) lengths.Add(("Embeddings", Embeddings.Rows));
        if (Predicted is not null) lengths.Add(("Predicted", Predicted.Count));
        if (Truth is not null) lengths.Add(("Truth", Truth.Count));
        foreach (var (part, length) in lengths)
            if (length != lengths[0].Length)
                throw new ArgumentException(
                    $"Metric '{metric}': {lengths[0].Part} has {lengths[0].Length} rows but {part} has {length}.");
        return lengths.Count == 0 ? 0 : lengths[0].Length;
    }
}
