using System.Reflection;
using KpLab.Abstractions;

namespace KpLab.Sweeps;

/// <summary>
/// The columns of typed rows: a type's public properties and fields in declaration order, with composite members
/// (an aggregate's <c>Key</c>, its <see cref="Estimate"/>) flattened into their own members, so
/// <c>GroupMean&lt;{ Embedder, Metric }&gt;</c> becomes columns Embedder, Metric, Mean, Low, High, Count. A name seen
/// twice is kept once (the first). Taken from the type, so an empty table still has its header.
/// </summary>
public sealed class TypedColumns
{
    private readonly IReadOnlyList<(string Name, Func<object, object?> Get)> _columns;

    private TypedColumns(IReadOnlyList<(string, Func<object, object?>)> columns) => _columns = columns;

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Names => _columns.Select(c => c.Name).ToArray();

    /// <summary>The columns of <paramref name="type"/>.</summary>
    public static TypedColumns For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var columns = new List<(string, Func<object, object?>)>();
        Add(type, o => o, columns, depth: 0);
        return new TypedColumns(columns);
    }

    /// <summary>A table of <paramref name="rows"/> with the columns of <typeparamref name="T"/>.</summary>
    public static ResultTable Table<T>(string name, IEnumerable<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = For(typeof(T));
        return new ResultTable(name, columns.Names, rows.Select(r => columns.Values(r)));
    }

    /// <summary>The values of <paramref name="row"/>, one per column.</summary>
    public IReadOnlyList<object?> Values(object? row) => _columns.Select(c => row is null ? null : c.Get(row)).ToArray();

    /// <summary>Whether a value of <paramref name="type"/> is one cell (a number, text, flag, date or enum).</summary>
    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
               || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid);
    }

    private static void Add(Type type, Func<object, object?> get, List<(string, Func<object, object?>)> columns, int depth)
    {
        if (IsScalar(type) || depth > 3 || typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            columns.Add(("value", get));
            return;
        }
        foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.MetadataToken))
        {
            (Type MemberType, Func<object, object?> Read)? read = member switch
            {
                PropertyInfo p when p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract" =>
                    (p.PropertyType, o => p.GetValue(o)),
                FieldInfo f => (f.FieldType, o => f.GetValue(o)),
                _ => null,
            };
            if (read is not { } r) continue;
            Func<object, object?> chained = o => get(o) is { } parent ? r.Read(parent) : null;
            if (IsScalar(r.MemberType) || typeof(System.Collections.IEnumerable).IsAssignableFrom(r.MemberType) || r.MemberType == typeof(object))
            {
                if (columns.All(c => c.Item1 != member.Name)) columns.Add((member.Name, chained));
            }
            else
            {
                Add(r.MemberType, chained, columns, depth + 1);
            }
        }
    }
}
