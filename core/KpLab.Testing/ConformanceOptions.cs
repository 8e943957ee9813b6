using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>How <see cref="PluginConformance"/> exercises a plugin. The defaults suit plugins that need nothing but their defaults.</summary>
public sealed record ConformanceOptions
{
    /// <summary>The run seed handed to the plugin through <see cref="PluginContext.Random"/>.</summary>
    public int Seed { get; init; } = 20240620;

    /// <summary>
    /// The options the plugin is checked with (anonymous object, dictionary, YAML or the options record), e.g. a model
    /// folder; null means its defaults. Option variants and bad values are applied on top of these.
    /// </summary>
    public object? PluginOptions { get; init; }

    /// <summary>Where the plugin finds prepared model files; null means <see cref="PluginContext.DefaultCacheDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Largest absolute difference allowed between numbers that the contract says are equal up to rounding: an embedding
    /// of a text alone and in a batch, from several threads at once, with one or two kernel threads, and metric values
    /// computed with one or two kernel threads (relative to the value's magnitude when above 1).
    /// </summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Largest absolute difference allowed between two identical calls (same instance or a new one with the same seed).</summary>
    public double RepeatTolerance { get; init; }

    /// <summary>Texts embedders are checked with; null means <see cref="SyntheticData.Texts"/>.</summary>
    public IReadOnlyList<string?>? Texts { get; init; }

    /// <summary>
    /// Extra valid values to try per option (keyed by the option's script name, e.g. "modelDirectory"), for options
    /// whose alternatives the kit cannot invent (strings, paths, lists). Numbers, booleans and enums get variants
    /// automatically.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<object?>> OptionVariants { get; init; } =
        new Dictionary<string, IReadOnlyList<object?>>();

    /// <summary>At most this many automatic variants are tried per option.</summary>
    public int MaxVariantsPerOption { get; init; } = 2;

    /// <summary>Names of checks not to run (see <see cref="ConformanceChecks"/>); each is reported as skipped.</summary>
    public IReadOnlySet<string> SkipChecks { get; init; } = new HashSet<string>();

    /// <summary>Threads embedding at once in the thread-safety check.</summary>
    public int ConcurrentCallers { get; init; } = 4;
}

/// <summary>The names of the checks <see cref="PluginConformance"/> runs, for <see cref="ConformanceOptions.SkipChecks"/> and report lookups.</summary>
public static class ConformanceChecks
{
    /// <summary>[KpLabPlugin] present, name lower-case with hyphens, description given, interface implemented.</summary>
    public const string Attribute = "metadata.attribute";

    /// <summary>One public constructor taking at most an options record and a <see cref="PluginContext"/>.</summary>
    public const string Constructor = "metadata.constructor";

    /// <summary>Options record: public parameterless constructor, every option with a [Description].</summary>
    public const string OptionsDocumented = "options.documented";

    /// <summary>The defaults bind and validate, and the plugin can be created with them.</summary>
    public const string DefaultsBind = "options.defaults-bind";

    /// <summary>Obviously bad numbers (negative, zero, NaN, infinity) are rejected by Validate with errors naming real options, or else the plugin copes or throws ArgumentException.</summary>
    public const string BadValues = "options.bad-values";

    /// <summary>Embedder: one finite row per text, of the declared dimension.</summary>
    public const string EmbedderShape = "embedder.shape";

    /// <summary>Embedder: zero texts give zero rows; null, empty and blank texts give finite rows, null the same as "".</summary>
    public const string EmbedderEmptyInput = "embedder.empty-input";

    /// <summary>Embedder: the same texts give the same vectors, from the same instance and from a new one with the same seed.</summary>
    public const string EmbedderDeterministic = "embedder.deterministic";

    /// <summary>Embedder: a text alone, in a batch, and in a reversed batch gets the same vector.</summary>
    public const string EmbedderBatchInvariance = "embedder.batch-invariance";

    /// <summary>Embedder: one or two kernel threads give the same vectors.</summary>
    public const string EmbedderParallelism = "embedder.parallelism";

    /// <summary>Embedder: several threads embedding at once with one instance get the same vectors.</summary>
    public const string EmbedderThreadSafety = "embedder.thread-safety";

    /// <summary>Embedder: progress counts rise to the number of texts; a cancelled token stops the job.</summary>
    public const string EmbedderProgress = "embedder.progress-and-cancellation";

    /// <summary>Embedder: Identity is non-empty and equal for equal options.</summary>
    public const string EmbedderIdentityStable = "embedder.identity-stable";

    /// <summary>Embedder: for each option, a different valid value changes Identity if and only if it changes the vectors.</summary>
    public const string EmbedderIdentityTracksOutput = "embedder.identity-tracks-output";

    /// <summary>Clusterer: one label per row, each at least -1; per-row probabilities and scores sized to match.</summary>
    public const string ClustererShape = "clusterer.shape";

    /// <summary>Clusterer: the same data and seed give the same labels, from the same instance and from a new one.</summary>
    public const string ClustererDeterministic = "clusterer.deterministic";

    /// <summary>Clusterer: one or two kernel threads give the same labels.</summary>
    public const string ClustererParallelism = "clusterer.parallelism";

    /// <summary>Clusterer: zero rows and one row give a partition of that size or an ArgumentException.</summary>
    public const string ClustererEmptyInput = "clusterer.empty-input";

    /// <summary>Clusterer: a NaN or infinity gives an ArgumentException naming the row.</summary>
    public const string ClustererNonFinite = "clusterer.non-finite";

    /// <summary>Reducer: n rows give an n × OutputDimension embedding of finite values; transforming rows gives one output row each.</summary>
    public const string ReducerShape = "reducer.shape";

    /// <summary>Reducer: the same data and seed give the same embedding and transform, from the same instance and a new one.</summary>
    public const string ReducerDeterministic = "reducer.deterministic";

    /// <summary>Reducer: Identity is non-empty, equal for equal options and names the output dimension's option value.</summary>
    public const string ReducerIdentityStable = "reducer.identity-stable";

    /// <summary>Reducer: transforming rows of another dimension, or rows holding NaN or an infinity, gives an ArgumentException.</summary>
    public const string ReducerTransformErrors = "reducer.transform-errors";

    /// <summary>Reducer: a NaN or infinity in the data to fit gives an ArgumentException naming the row.</summary>
    public const string ReducerNonFinite = "reducer.non-finite";
    /// <summary>
    /// Clusterer that implements <see cref="IPredictingClusterer"/>: FitModel's partition equals Fit's; Predict gives one
    /// label (-1 or a fitted label) and one strength in [0, 1] per row; a written and read model predicts the same;
    /// rows of another width give an ArgumentException. Passes with a note for clusterers that do not predict.
    /// </summary>
    public const string ClustererPrediction = "clusterer.prediction";

    /// <summary>Metric: a finite value on a well-formed input, named after the plugin, with unique row keys.</summary>
    public const string MetricResult = "metric.result";

    /// <summary>Metric: the same input gives the same result.</summary>
    public const string MetricDeterministic = "metric.deterministic";

    /// <summary>Metric: one or two kernel threads give the same result.</summary>
    public const string MetricParallelism = "metric.parallelism";

    /// <summary>Metric: a missing part it needs, or a part of the wrong length, gives an ArgumentException.</summary>
    public const string MetricInputErrors = "metric.input-errors";

    /// <summary>Metric: zero rows give a result (NaN allowed) or an ArgumentException.</summary>
    public const string MetricEmptyInput = "metric.empty-input";

    /// <summary>Metric: the input (partition labels) is left unchanged.</summary>
    public const string MetricDoesNotMutate = "metric.does-not-mutate";

    /// <summary>
    /// Metric: rows are typed records declared through <see cref="IMetric{TRow}"/> (a valid row type, the results
    /// carry it); a metric without rows declares none.
    /// </summary>
    public const string MetricTypedRows = "metric.typed-rows";

    /// <summary>Metric: a cancelled <see cref="EvaluationInput.CancellationToken"/> gives an OperationCanceledException or a result, nothing else.</summary>
    public const string MetricCancellation = "metric.cancellation";
}
