using System.Diagnostics.CodeAnalysis;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Sweeps;

/// <summary>
/// A declared sweep: units of analysis × embedders × clusterer configurations (option grids that may depend on the
/// unit) × seeds, scored by partition metrics, plus unit metrics scored on the embeddings alone. Built fluently, each
/// call returning a new declaration; <see cref="Trials"/> expands it in a deterministic order and <see cref="Run"/>
/// executes it.
/// </summary>
/// <example><code>
/// var results = Lab.Sweep(questions)
///     .Embedders("use-lite", "tfidf")
///     .Clusterer("kmeans", u => new { k = u.LabelNames.Count, nInit = 10 })
///     .Clusterer("hdbscan", new { minClusterSize = 5 }, rows: RowTransform.Normalize)
///     .Metrics("ari", "ami")
///     .Run();
/// </code></example>
public sealed record Sweep
{
    private readonly ISweepHost _host;

    /// <summary>Starts a declaration over <paramref name="units"/> (each a dataset subset, e.g. one question).</summary>
    public Sweep(ISweepHost host, IEnumerable<Dataset> units)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(units);
        _host = host;
        Units = units.Select(u => new SweepUnit(u)).ToArray();
        if (Units.Count == 0) throw new ArgumentException("Lab.Sweep: no units (the list of datasets is empty; check the filter that made it).", nameof(units));
        var duplicate = Units.GroupBy(u => u.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Lab.Sweep: two units have the id '{duplicate.Key}'; give each subset its own name.", nameof(units));
        SeedValues = [host.Seed];
    }

    /// <summary>The units, in the order given.</summary>
    public IReadOnlyList<SweepUnit> Units { get; }

    /// <summary>The embedders, in the order declared.</summary>
    public IReadOnlyList<PluginConfig> EmbedderConfigs { get; private init; } = [];

    /// <summary>The clusterer axes, in the order declared.</summary>
    public IReadOnlyList<ClustererAxis> ClustererAxes { get; private init; } = [];

    /// <summary>The seeds of every clustering (default: the run seed).</summary>
    public IReadOnlyList<int> SeedValues { get; private init; }

    /// <summary>Metrics scored on each partition.</summary>
    public IReadOnlyList<PluginConfig> PartitionMetrics { get; private init; } = [];

    /// <summary>Metrics scored once per (unit, embedder), on the embeddings and expert labels.</summary>
    public IReadOnlyList<PluginConfig> UnitMetricConfigs { get; private init; } = [];

    /// <summary>Adds embedders by name, with default options.</summary>
    public Sweep Embedders(params IEnumerable<string> names) =>
        names.Aggregate(this, (sweep, name) => sweep.Embedder(name));

    /// <summary>
    /// Adds one embedder with <paramref name="options"/>; <paramref name="label"/> names it in results and
    /// <paramref name="cost"/> is its relative cost per row, which balances shard runs (a transformer encoder costs
    /// more than TF-IDF; default 1; see <see cref="ShardPlan.Cost"/>).
    /// </summary>
    public Sweep Embedder(string name, object? options = null, string? label = null, double cost = 1)
    {
        if (!double.IsFinite(cost) || cost <= 0)
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"Sweep.Embedder(\"{name}\"): cost must be a positive number (a relative cost per row; default 1).");
        var config = _host.Configure(PluginKind.Embedder, name, options, label);
        return this with { EmbedderConfigs = [.. EmbedderConfigs, cost == 1 ? config : config with { Cost = cost }] };
    }

    /// <summary>Adds a clusterer with fixed options.</summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "Scripts compile against this surface when they run, so no compiled caller can bind to a stale overload; the two overloads differ in the options' type.")]
    public Sweep Clusterer(string name, object? options = null, RowTransform rows = RowTransform.None, string? label = null) =>
        Clusterers(name, _ => [options], rows, label);

    /// <summary>Adds a clusterer whose options depend on the unit (e.g. k = the number of labels in it).</summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "Scripts compile against this surface when they run, so no compiled caller can bind to a stale overload; the two overloads differ in the options' type.")]
    public Sweep Clusterer(string name, Func<SweepUnit, object?> options, RowTransform rows = RowTransform.None, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Clusterers(name, u => [options(u)], rows, label);
    }

    /// <summary>Adds a clusterer with an option grid per unit: one configuration per element, in order.</summary>
    public Sweep Clusterers(string name, Func<SweepUnit, IEnumerable<object?>> grid, RowTransform rows = RowTransform.None, string? label = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(grid);
        return this with { ClustererAxes = [.. ClustererAxes, new ClustererAxis(name, label, grid, rows)] };
    }

    /// <summary>The seeds every clustering runs with (replacing the default, the run seed).</summary>
    public Sweep Seeds(params IEnumerable<int> seeds)
    {
        var list = seeds.ToArray();
        if (list.Length == 0) throw new ArgumentException("Sweep.Seeds: give at least one seed.", nameof(seeds));
        if (list.Distinct().Count() != list.Length) throw new ArgumentException("Sweep.Seeds: a seed is repeated.", nameof(seeds));
        return this with { SeedValues = list };
    }

    /// <summary>Adds partition metrics by name, with default options.</summary>
    public Sweep Metrics(params IEnumerable<string> names) => names.Aggregate(this, (sweep, name) => sweep.Metric(name));

    /// <summary>Adds one partition metric with <paramref name="options"/>.</summary>
    public Sweep Metric(string name, object? options = null, string? label = null) =>
        this with { PartitionMetrics = [.. PartitionMetrics, _host.Configure(PluginKind.Metric, name, options, label)] };

    /// <summary>Adds unit metrics (scored on embeddings and expert labels, no partition) by name.</summary>
    public Sweep UnitMetrics(params IEnumerable<string> names) => names.Aggregate(this, (sweep, name) => sweep.UnitMetric(name));

    /// <summary>Adds one unit metric with <paramref name="options"/>.</summary>
    public Sweep UnitMetric(string name, object? options = null, string? label = null) =>
        this with { UnitMetricConfigs = [.. UnitMetricConfigs, _host.Configure(PluginKind.Metric, name, options, label)] };

    /// <summary>
    /// Whether a plugin's <see cref="ArgumentException"/> (an input it cannot handle, e.g. cosine linkage on a zero
    /// row) is recorded instead of ending the run: a failed clustering gets <c>partition/failed = 1</c> and NaN for
    /// every metric, a failed metric NaN; each is logged.
    /// </summary>
    public bool ToleratesErrors { get; private init; }

    /// <summary>Records a plugin's <see cref="ArgumentException"/> in the results (NaN, logged) instead of ending the run.</summary>
    public Sweep ToleratingErrors() => this with { ToleratesErrors = true };

    /// <summary>Bootstrap resamples of each unit every clustering is repeated on (0: none).</summary>
    public int ResampleCount { get; private init; }

    /// <summary>The metrics that score the resample trials.</summary>
    public IReadOnlyList<PluginConfig> ResampleMetricConfigs { get; private init; } = [];

    /// <summary>
    /// Stability in the manner of MTEB's clustering evaluation: every clustering (each configuration and seed) is
    /// repeated on <paramref name="count"/> bootstrap resamples of its unit (<see cref="UnitResample"/>: the unit's
    /// rows drawn with replacement, the same rows for every embedder and clusterer). A resample trial clusters the
    /// unit's embedding rows at the drawn indices (nothing is embedded again) with the whole-unit configuration, and
    /// scores the partition against the drawn rows' labels with <paramref name="metrics"/> only (default: ARI and AMI).
    /// Its rows are kept apart from the whole-unit results, in <see cref="Results.Resamples"/>, marked with
    /// <see cref="ResultRow.Resample"/>; <see cref="Results.Stability"/> summarises them.
    /// </summary>
    /// <param name="count">Resamples per unit (MTEB: 10).</param>
    /// <param name="metrics">Partition metrics by name (default "ari", "ami").</param>
    public Sweep Resamples(int count = 10, params IEnumerable<string> metrics)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(metrics);
        var names = metrics.ToArray();
        if (names.Length == 0) names = ["ari", "ami"];
        return this with
        {
            ResampleCount = count,
            ResampleMetricConfigs = names.Select(name => _host.Configure(PluginKind.Metric, name, null, null)).ToArray(),
        };
    }

    /// <summary>
    /// The trials, in order: for each embedder, for each unit: the unit-metrics trial (when there are unit metrics),
    /// then for each clusterer axis, each configuration of its grid, each seed; then (with <see cref="Resamples"/>) for
    /// each of those clusterings, each resample.
    /// </summary>
    public IReadOnlyList<Trial> Trials()
    {
        if (EmbedderConfigs.Count == 0) throw new InvalidOperationException("Sweep: declare at least one embedder (.Embedders(...)).");
        if (ClustererAxes.Count == 0 && UnitMetricConfigs.Count == 0)
            throw new InvalidOperationException("Sweep: declare a clusterer (.Clusterer(...)) or a unit metric (.UnitMetrics(...)).");
        if (ClustererAxes.Count > 0 && PartitionMetrics.Count == 0)
            throw new InvalidOperationException("Sweep: clusterers are declared but no metric scores their partitions (.Metrics(...)).");
        // Each unit's grid is resolved once, in unit order, so its configurations are shared by every embedder.
        var configs = Units.ToDictionary(u => u, u => ClustererAxes.Select(axis => axis.Configure(_host, u)).ToArray());
        var random = new RandomSource(_host.Seed);
        var resamples = Units.ToDictionary(u => u, u => Enumerable.Range(0, ResampleCount).Select(r => UnitResample.For(u, r, random)).ToArray());
        var trials = new List<Trial>();
        foreach (var embedder in EmbedderConfigs)
            foreach (var unit in Units)
            {
                if (UnitMetricConfigs.Count > 0)
                    trials.Add(Create(unit, embedder, null, RowTransform.None, SeedValues[0]));
                foreach (var (axis, grid) in ClustererAxes.Zip(configs[unit]))
                    foreach (var clusterer in grid)
                        foreach (var seed in SeedValues)
                            trials.Add(Create(unit, embedder, clusterer, axis.Rows, seed));
                foreach (var (axis, grid) in ClustererAxes.Zip(configs[unit]))
                    foreach (var clusterer in grid)
                        foreach (var seed in SeedValues)
                            foreach (var resample in resamples[unit])
                                trials.Add(new Trial(trials.Count, Trial.CreateId(unit, embedder, clusterer, axis.Rows, seed, resample, ResampleMetricConfigs),
                                    unit, embedder, clusterer, axis.Rows, seed) { Resample = resample });
            }
        var repeated = trials.GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new InvalidOperationException($"Sweep: the trial {repeated.First()} is declared twice (same unit, plugins, options and seed).");
        return trials;

        Trial Create(SweepUnit unit, PluginConfig embedder, PluginConfig? clusterer, RowTransform rows, int seed) =>
            new(trials.Count, Trial.CreateId(unit, embedder, clusterer, rows, seed), unit, embedder, clusterer, rows, seed);
    }

    /// <summary>Runs every trial not already in the run's trial store and returns the results of all, in trial order.</summary>
    public Results Run() => new SweepRunner(this, _host).Run();

    internal ISweepHost Host => _host;
}

/// <summary>One declared clusterer with its option grid.</summary>
/// <param name="Name">The plugin name.</param>
/// <param name="Label">How result rows name it (null: the name).</param>
/// <param name="Grid">The option objects for a unit, in order.</param>
/// <param name="Rows">What the clusterer sees of the embeddings.</param>
public sealed record ClustererAxis(string Name, string? Label, Func<SweepUnit, IEnumerable<object?>> Grid, RowTransform Rows)
{
    internal IReadOnlyList<PluginConfig> Configure(ISweepHost host, SweepUnit unit) =>
        Grid(unit).Select(options => host.Configure(PluginKind.Clusterer, Name, options, Label)).ToArray();
}
