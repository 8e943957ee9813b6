namespace KpLab.Abstractions;

/// <summary>The kinds of plugin a host loads.</summary>
public enum PluginKind
{
    /// <summary>Turns texts into vectors (<see cref="IEmbedder"/>).</summary>
    Embedder,

    /// <summary>Groups vectors (<see cref="IClusterer"/>).</summary>
    Clusterer,

    /// <summary>Scores partitions, labels or geometry (<see cref="IMetric"/>).</summary>
    Metric,

    /// <summary>Maps vectors to fewer dimensions, fitted on a matrix and applied to new rows (<see cref="IReducer"/>).</summary>
    Reducer,
}

/// <summary>
/// Marks a public, non-abstract class as a KpLab plugin. The class implements the interface of its
/// <see cref="Kind"/> and has one public constructor whose parameters are any of: its options record (a
/// <see cref="PluginOptions"/> subtype) and a <see cref="PluginContext"/>. Its version is its assembly's
/// informational version.
/// </summary>
/// <param name="kind">The kind of plugin.</param>
/// <param name="name">The name scripts use, e.g. "kmeans": lower case, digits and hyphens.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KpLabPluginAttribute(PluginKind kind, string name) : Attribute
{
    /// <summary>The kind of plugin.</summary>
    public PluginKind Kind { get; } = kind;

    /// <summary>The name scripts use, e.g. "kmeans".</summary>
    public string Name { get; } = name;

    /// <summary>One sentence on what the plugin does, shown by <c>kplab plugins</c>.</summary>
    public string Description { get; init; } = "";
}

/// <summary>Progress of an embedding job.</summary>
/// <param name="Done">Texts embedded so far.</param>
/// <param name="Total">Texts in the job.</param>
public readonly record struct EmbeddingProgress(int Done, int Total);

/// <summary>Turns texts into fixed-length vectors.</summary>
public interface IEmbedder
{
    /// <summary>
    /// What makes this embedder's output what it is, used as the cache key: model id, revision or content hash of the
    /// model files, pooling, normalisation and every option that changes the vectors. Two embedders with equal
    /// identities must give equal vectors for equal texts.
    /// </summary>
    string Identity { get; }

    /// <summary>The vector length, or 0 when it depends on the texts (e.g. TF-IDF without a fixed dimension).</summary>
    int Dimension { get; }

    /// <summary>
    /// Whether a text's vector depends on the other texts embedded with it: true for embedders fitted on the batch
    /// (TF-IDF vocabularies and LSA, SIF weights estimated from the texts, common-component removal). Caches must
    /// then key whole batches rather than single texts. Defaults to true exactly when <see cref="Dimension"/> is 0.
    /// </summary>
    bool DependsOnBatch => Dimension == 0;

    /// <summary>
    /// Embeds <paramref name="texts"/>, one row per text in order. A null, empty or whitespace-only text gets the
    /// embedder's documented vector for "no content" (a zero row unless stated otherwise), never an exception.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="progress">Receives progress now and then; may be null.</param>
    /// <param name="cancellationToken">Stops the job between batches.</param>
    EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default);
}

/// <summary>Groups the rows of an embedding matrix.</summary>
public interface IClusterer
{
    /// <summary>Clusters the rows of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data cannot be clustered with these options (the message says why, naming the row for non-finite values).</exception>
    Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default);
}

/// <summary>Scores a partition, labels or geometry.</summary>
public interface IMetric
{
    /// <summary>Evaluates the metric on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A needed part is missing or the parts disagree (the message names the metric).</exception>
    /// <exception cref="OperationCanceledException"><see cref="EvaluationInput.CancellationToken"/> was cancelled.</exception>
    MetricResult Evaluate(EvaluationInput input);
}
