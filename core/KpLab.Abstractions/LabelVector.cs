namespace KpLab.Abstractions;

/// <summary>
/// Expert labels, one per row, given as strings (e.g. "correct") or integers. Each distinct label gets a dense code
/// 0..K−1 in sorted order (ordinal for strings, numeric for integers), as NumPy's <c>unique</c> assigns them, so
/// contingency tables line up with scikit-learn's.
/// </summary>
public sealed class LabelVector
{
    private LabelVector(string[] names, int[] codes, bool numeric)
    {
        Names = names;
        Codes = codes;
        IsNumeric = numeric;
    }

    /// <summary>The distinct labels, sorted; code c is <c>Names[c]</c>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The label code of each row, in [0, <see cref="Names"/>.Count).</summary>
    public IReadOnlyList<int> Codes { get; }

    /// <summary>Whether the labels were given as integers.</summary>
    public bool IsNumeric { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Codes.Count;

    /// <summary>The label of row <paramref name="index"/>.</summary>
    public string this[int index] => Names[Codes[index]];

    /// <summary>The code of <paramref name="label"/>, or -1 when no row has it.</summary>
    public int CodeOf(string label)
    {
        for (int i = 0; i < Names.Count; i++) if (Names[i] == label) return i;
        return -1;
    }

    /// <summary>Labels from strings (null counts as the empty label "").</summary>
    public static LabelVector FromStrings(IReadOnlyList<string?> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var names = labels.Select(l => l ?? "").Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return new LabelVector(names, labels.Select(l => index[l ?? ""]).ToArray(), numeric: false);
    }

    /// <summary>Labels from integers.</summary>
    public static LabelVector FromInts(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var distinct = labels.Distinct().Order().ToArray();
        var index = distinct.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var names = distinct.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new LabelVector(names, labels.Select(l => index[l]).ToArray(), numeric: true);
    }

    /// <summary>Expert labels from integers.</summary>
    public static implicit operator LabelVector(int[] labels) => FromInts(labels);

    /// <summary>Expert labels from strings.</summary>
    public static implicit operator LabelVector(string[] labels) => FromStrings(labels);

    /// <summary>Uses a partition's labels (noise -1 included) as a label vector.</summary>
    public static implicit operator LabelVector(Partition partition) => FromInts(partition.Labels);
}
