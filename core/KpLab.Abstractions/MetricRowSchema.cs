using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace KpLab.Abstractions;

/// <summary>
/// Marks a property of a metric's row record as (part of) what the row describes, e.g. the expert label or the
/// cluster. A row type has at least one; the other public properties are its statistics.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MetricKeyAttribute : Attribute;

/// <summary>One column of a metric's row record, as <c>kplab plugins</c> lists it.</summary>
/// <param name="Name">The column name: the property name in camelCase (<c>WithinCosine</c> → "withinCosine"), as it
/// appears in <see cref="MetricRow.Values"/>, <see cref="MetricCell.Statistic"/> and tables.</param>
/// <param name="Type">The C# type, e.g. "double", "bool", "int?" (a null number reads as NaN).</param>
/// <param name="IsKey">Whether the column identifies the row (<see cref="MetricKeyAttribute"/>) rather than being a statistic.</param>
public sealed record MetricColumn(string Name, string Type, bool IsKey);

/// <summary>One statistic of one row of a metric's output, in long (tidy) form.</summary>
/// <param name="Key">What the row describes (its key columns joined by ", "), e.g. the expert label "correct".</param>
/// <param name="Statistic">The column name, e.g. "f1".</param>
/// <param name="Value">The value; booleans as 1 or 0, a missing number as NaN.</param>
public readonly record struct MetricCell(string Key, string Statistic, double Value);

/// <summary>
/// The columns of metric row records: every public instance property in declaration order, keys marked with
/// <see cref="MetricKeyAttribute"/> (of type string, an integer type or bool), statistics of type double, float, int,
/// long or bool, or their nullable forms. Reads metadata only, so it describes a type loaded for execution and one
/// inspected through a <c>MetadataLoadContext</c> alike (the host lists plugins without running them).
/// </summary>
public static class MetricRowSchema
{
    private static readonly ConcurrentDictionary<Type, RowAccessor> Accessors = new();

    private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
    {
        ["System.Double"] = "double", ["System.Single"] = "float", ["System.Int32"] = "int", ["System.Int64"] = "long",
        ["System.Boolean"] = "bool", ["System.String"] = "string",
    };

    /// <summary>The columns of <paramref name="rowType"/>, keys included, in declaration order.</summary>
    /// <exception cref="ArgumentException">The type has no key property, or a property of an unsupported type (the message names it).</exception>
    public static IReadOnlyList<MetricColumn> Columns(Type rowType) => Properties(rowType).Select(p => p.Column).ToArray();

    /// <summary>The column name of a property: its name with the first letter lower-cased (all leading capitals for an acronym such as "F1" → "f1").</summary>
    public static string ColumnName(string propertyName)
    {
        ArgumentException.ThrowIfNullOrEmpty(propertyName);
        int upper = 0;
        while (upper < propertyName.Length && char.IsUpper(propertyName[upper])) upper++;
        // "KnnAgreement" -> "knnAgreement"; "F1" -> "f1"; "URLCount" -> "urlCount" (the last capital starts a word).
        int lower = upper <= 1 || upper == propertyName.Length || !char.IsLetter(propertyName[upper]) ? upper : upper - 1;
        return propertyName[..lower].ToLowerInvariant() + propertyName[lower..];
    }

    internal static RowAccessor Accessor(Type rowType) => Accessors.GetOrAdd(rowType, t => new RowAccessor(Properties(t)));

    private static List<(PropertyInfo Property, MetricColumn Column)> Properties(Type rowType)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        var properties = rowType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            // Metadata tokens follow declaration order (GetProperties promises no order); base-type properties first.
            .OrderBy(p => Depth(p.DeclaringType!)).ThenBy(p => p.MetadataToken)
            .ToList();
        var columns = new List<(PropertyInfo, MetricColumn)>();
        foreach (var property in properties)
        {
            bool key = property.GetCustomAttributesData().Any(a => a.AttributeType.FullName == typeof(MetricKeyAttribute).FullName);
            var type = TypeName(property.PropertyType);
            bool supported = type is not null && (key ? type is "string" or "int" or "long" or "bool" : type is not "string");
            if (!supported)
                throw new ArgumentException(
                    $"Metric row type {rowType.FullName}: property {property.Name} is of type {property.PropertyType.FullName}; " +
                    "a [MetricKey] property is a string, int, long or bool, and a statistic a double, float, int, long or bool (or its nullable form).",
                    nameof(rowType));
            columns.Add((property, new MetricColumn(ColumnName(property.Name), type!, key)));
        }
        if (!columns.Any(c => c.Item2.IsKey))
            throw new ArgumentException($"Metric row type {rowType.FullName} has no [MetricKey] property saying what each row describes.", nameof(rowType));
        return columns;
    }

    private static int Depth(Type type)
    {
        int depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType) depth--;
        return depth;
    }

    private static string? TypeName(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1")
            return TypeName(type.GetGenericArguments()[0]) is { } inner and not "string" ? inner + "?" : null;
        return type.FullName is { } name ? Keywords.GetValueOrDefault(name) : null;
    }

    /// <summary>Reads rows of one loaded type into legacy rows and cells.</summary>
    internal sealed class RowAccessor(List<(PropertyInfo Property, MetricColumn Column)> columns)
    {
        private readonly (PropertyInfo Property, MetricColumn Column)[] _keys = columns.Where(c => c.Column.IsKey).ToArray();
        private readonly (PropertyInfo Property, MetricColumn Column)[] _statistics = columns.Where(c => !c.Column.IsKey).ToArray();

        public string Key(object row) =>
            string.Join(", ", _keys.Select(k => Convert.ToString(k.Property.GetValue(row), CultureInfo.InvariantCulture) ?? ""));

        public IEnumerable<(string Statistic, double Value)> Statistics(object row) =>
            _statistics.Select(s => (s.Column.Name, Number(s.Property.GetValue(row))));

        private static double Number(object? value) => value switch
        {
            null => double.NaN,
            bool b => b ? 1.0 : 0.0,
            _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        };
    }
}
