namespace KpLab.Abstractions;

/// <summary>
/// A small named table of results (columns and rows of plain values: numbers, strings, booleans), the form in which
/// metrics, clusterers and scripts hand tables to the run record and to CSV/JSON output.
/// </summary>
public sealed class ResultTable
{
    /// <summary>Creates a table; every row must have one value per column.</summary>
    /// <exception cref="ArgumentException">A row has the wrong number of values.</exception>
    public ResultTable(string name, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        Name = name;
        Columns = columns.ToArray();
        var list = new List<IReadOnlyList<object?>>();
        foreach (var row in rows)
        {
            if (row.Count != Columns.Count)
                throw new ArgumentException($"Table '{name}': row {list.Count} has {row.Count} values for {Columns.Count} columns.", nameof(rows));
            list.Add(row.ToArray());
        }
        Rows = list;
    }

    /// <summary>The table's name (a file stem when written out).</summary>
    public string Name { get; }

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows of values, one per column.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }

    /// <summary>The values of column <paramref name="column"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the columns.</exception>
    public IEnumerable<object?> Column(string column)
    {
        int index = Columns.ToList().IndexOf(column);
        if (index < 0) throw new KeyNotFoundException($"Table '{Name}' has no column '{column}'; columns: {string.Join(", ", Columns)}.");
        return Rows.Select(r => r[index]);
    }
}
