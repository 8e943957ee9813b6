using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>Turns what scripts table (objects, dictionaries, metric results) into <see cref="ResultTable"/>s and CSV.</summary>
public static class ResultTables
{
    /// <summary>
    /// A table from <paramref name="rows"/>: dictionaries give columns from their keys (union, first-seen order),
    /// plain values a single "value" column, and other objects (records, anonymous objects, tuples) their public
    /// properties and fields.
    /// </summary>
    public static ResultTable FromRows(string name, IEnumerable rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var items = rows.Cast<object?>().ToList();
        var columns = new List<string>();
        var records = new List<Dictionary<string, object?>>();
        foreach (var item in items)
        {
            var record = Fields(item);
            foreach (var key in record.Keys)
                if (!columns.Contains(key)) columns.Add(key);
            records.Add(record);
        }
        return new ResultTable(name, columns,
            records.Select(r => (IReadOnlyList<object?>)columns.Select(c => r.GetValueOrDefault(c)).ToArray()));
    }

    /// <summary>The table as CSV text (header line, then one line per row, invariant culture, round-trip numbers).</summary>
    public static string ToCsv(ResultTable table) =>
        CsvTable.Format(table.Columns, table.Rows.Select(row => (IReadOnlyList<string?>)row.Select(Format).ToArray()));

    /// <summary>A cell value as text.</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static Dictionary<string, object?> Fields(object? item)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        switch (item)
        {
            case null:
                break;
            case IDictionary<string, object?> dictionary:
                foreach (var (k, v) in dictionary) fields[k] = v;
                break;
            case IDictionary dictionary:
                foreach (DictionaryEntry e in dictionary) fields[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = e.Value;
                break;
            case string or IFormattable or bool:
                fields["value"] = item;
                break;
            default:
                var type = item.GetType();
                foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.MetadataToken))
                    switch (member)
                    {
                        case PropertyInfo p when p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract":
                            fields[p.Name] = p.GetValue(item);
                            break;
                        case FieldInfo f:
                            fields[f.Name] = f.GetValue(item);
                            break;
                    }
                break;
        }
        return fields;
    }
}
