namespace KpLab.Abstractions;

/// <summary>One row of a metric's table, e.g. one expert label with its best cluster's precision and recall.</summary>
/// <param name="Key">What the row describes (a label, a cluster, a statistic).</param>
/// <param name="Values">Named numeric values; booleans as 0 or 1.</param>
public sealed record MetricRow(string Key, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value named <paramref name="column"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such value; the message lists the names.</exception>
    public double this[string column] => Values.TryGetValue(column, out var v)
        ? v
        : throw new KeyNotFoundException($"Row '{Key}' has no value '{column}'; values: {string.Join(", ", Values.Keys)}.");
}

/// <summary>
/// A metric's answer: a headline <see cref="Value"/>, rows for tables, named secondary numbers and optional details.
/// Metrics with rows return a <see cref="MetricResult{TRow}"/>, whose typed rows are the source of <see cref="Rows"/>
/// and <see cref="Cells"/>.
/// </summary>
public class MetricResult
{
    private readonly TypedRows? _typed;
    private IReadOnlyList<MetricRow>? _rows;
    private IReadOnlyList<MetricCell>? _cells;

    /// <summary>Creates a result for <paramref name="metric"/> with headline <paramref name="value"/>.</summary>
    public MetricResult(string metric, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(metric);
        Metric = metric;
        Value = value;
    }

    private protected MetricResult(string metric, double value, Type rowType, IReadOnlyList<object> rows) : this(metric, value) =>
        _typed = new TypedRows(MetricRowSchema.Accessor(rowType), rowType, rows);

    /// <summary>The metric's script name, e.g. "ari".</summary>
    public string Metric { get; }

    /// <summary>The headline number (NaN when undefined for the input, as documented per metric).</summary>
    public double Value { get; }

    /// <summary>
    /// Rows keyed by what they describe, e.g. one per expert label, with their statistics by name (booleans as 1 or 0).
    /// For a <see cref="MetricResult{TRow}"/> they are derived from its typed rows and cannot be set.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a result with typed rows.</exception>
    public IReadOnlyList<MetricRow> Rows
    {
        get => _rows ??= _typed?.ToRows() ?? [];
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (_typed is not null)
                throw new InvalidOperationException($"Metric '{Metric}': Rows are derived from its typed rows ({_typed.Type.Name}) and cannot be set.");
            _rows = value;
        }
    }

    /// <summary>
    /// Every statistic of every row in long form (key, statistic, value), in row then column order: what a tidy
    /// results table holds per metric. The headline <see cref="Value"/> and <see cref="Components"/> are not rows.
    /// </summary>
    public IReadOnlyList<MetricCell> Cells => _cells ??= _typed?.ToCells()
        ?? Rows.SelectMany(r => r.Values.Select(v => new MetricCell(r.Key, v.Key, v.Value))).ToArray();

    /// <summary>The record type of the typed rows (see <see cref="MetricResult{TRow}"/>), or null when the metric gives none.</summary>
    public Type? RowType => _typed?.Type;

    /// <summary>Named secondary numbers, e.g. homogeneity and completeness beside the V-measure.</summary>
    public IReadOnlyDictionary<string, double> Components { get; init; } = new Dictionary<string, double>();

    /// <summary>Larger outputs, e.g. per-sample silhouettes (<c>double[]</c>) or a contingency table (<see cref="ResultTable"/>).</summary>
    public IReadOnlyDictionary<string, object> Details { get; init; } = new Dictionary<string, object>();

    /// <summary>The rows as a <see cref="ResultTable"/> (key column first, then the union of value names).</summary>
    public ResultTable ToTable(string? name = null)
    {
        var columns = Rows.SelectMany(r => r.Values.Keys).Distinct().ToList();
        return new ResultTable(name ?? Metric, ["key", .. columns],
            Rows.Select(r => (IReadOnlyList<object?>)[r.Key, .. columns.Select(c => r.Values.TryGetValue(c, out var v) ? (object?)v : null)]));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Metric} = {Value:G6}";

    private sealed class TypedRows(MetricRowSchema.RowAccessor accessor, Type type, IReadOnlyList<object> rows)
    {
        public Type Type { get; } = type;

        public IReadOnlyList<MetricRow> ToRows() => rows.Select(row =>
        {
            var values = new Dictionary<string, double>();
            foreach (var (statistic, value) in accessor.Statistics(row)) values[statistic] = value;
            return new MetricRow(accessor.Key(row), values);
        }).ToArray();

        public IReadOnlyList<MetricCell> ToCells() => rows.SelectMany(row =>
        {
            var key = accessor.Key(row);
            return accessor.Statistics(row).Select(s => new MetricCell(key, s.Statistic, s.Value));
        }).ToArray();
    }
}

/// <summary>
/// A metric's answer with typed rows: records defined by the metric (e.g. a discoverability row with
/// <c>bool Discovered</c>), one property marked <see cref="MetricKeyAttribute"/> at least. <see cref="MetricResult.Rows"/>
/// and <see cref="MetricResult.Cells"/> are derived from them (column names in camelCase, booleans as 1 or 0, a null
/// number as NaN); see <see cref="MetricRowSchema"/>.
/// </summary>
/// <typeparam name="TRow">The row record type.</typeparam>
public sealed class MetricResult<TRow> : MetricResult where TRow : notnull
{
    /// <summary>Creates a result for <paramref name="metric"/> with headline <paramref name="value"/> and <paramref name="rows"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="TRow"/> is not a valid row type (see <see cref="MetricRowSchema"/>).</exception>
    public MetricResult(string metric, double value, IEnumerable<TRow> rows) : this(metric, value, Materialize(rows))
    {
    }

    private MetricResult(string metric, double value, TRow[] rows) : base(metric, value, typeof(TRow), rows.Cast<object>().ToArray()) =>
        Records = rows;

    /// <summary>The typed rows, in the metric's documented order.</summary>
    public IReadOnlyList<TRow> Records { get; }

    private static TRow[] Materialize(IEnumerable<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.ToArray();
    }
}
