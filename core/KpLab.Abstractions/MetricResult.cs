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

/// <summary>A metric's answer: a headline <see cref="Value"/>, named rows for tables, and optional details.</summary>
public sealed class MetricResult
{
    /// <summary>Creates a result for <paramref name="metric"/> with headline <paramref name="value"/>.</summary>
    public MetricResult(string metric, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(metric);
        Metric = metric;
        Value = value;
    }

    /// <summary>The metric's script name, e.g. "ari".</summary>
    public string Metric { get; }

    /// <summary>The headline number (NaN when undefined for the input, as documented per metric).</summary>
    public double Value { get; }

    /// <summary>Named rows, e.g. one per expert label.</summary>
    public IReadOnlyList<MetricRow> Rows { get; init; } = [];

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
}
