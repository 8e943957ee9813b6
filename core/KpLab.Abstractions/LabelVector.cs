namespace KpLab.Abstractions;

/// <summary>
/// Expert labels, one per row, given as strings (e.g. "correct") or integers. Each distinct label gets a dense code
/// 0..K−1 in sorted order (ordinal for strings, numeric for integers), as NumPy's <c>unique</c> assigns them, so
/// contingency tables line up with scikit-learn's. A data set's labels may carry its quality order
/// (<see cref="QualityOrder"/>), so that metrics that need one find it without the script passing it again.
/// </summary>
public sealed class LabelVector : IReadOnlyList<string>
{
    private LabelVector(string[] names, int[] codes, bool numeric, IReadOnlyList<string>? qualityOrder = null)
    {
        Names = names;
        Codes = codes;
        IsNumeric = numeric;
        QualityOrder = qualityOrder;
    }

    /// <summary>The distinct labels, sorted; code c is <c>Names[c]</c>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The label code of each row, in [0, <see cref="Names"/>.Count).</summary>
    public IReadOnlyList<int> Codes { get; }

    /// <summary>Whether the labels were given as integers.</summary>
    public bool IsNumeric { get; }

    /// <summary>
    /// The labels from best to worst answer quality as the data set declares them (e.g. its <c>dataset.yaml</c>'s
    /// <c>qualityOrder</c>), or null. It may name labels no row of this vector has (a subset, such as one question,
    /// lacks some); metrics use the ones present. <see cref="EvaluationInput.QualityOrder"/>, when given, wins.
    /// </summary>
    public IReadOnlyList<string>? QualityOrder { get; }

    /// <summary>The same labels carrying <paramref name="qualityOrder"/> (null: none).</summary>
    /// <exception cref="ArgumentException">The order names a label twice.</exception>
    public LabelVector WithQualityOrder(IReadOnlyList<string>? qualityOrder)
    {
        if (qualityOrder is not null)
        {
            var twice = qualityOrder.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null) throw new ArgumentException($"The quality order names label '{twice.Key}' twice.", nameof(qualityOrder));
            qualityOrder = qualityOrder.ToArray();
        }
        return new LabelVector((string[])Names, (int[])Codes, IsNumeric, qualityOrder);
    }

    /// <summary>The label of each row, in order.</summary>
    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < Codes.Count; i++) yield return Names[Codes[i]];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

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
