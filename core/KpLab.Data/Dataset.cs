using KpLab.Abstractions;

namespace KpLab.Data;

/// <summary>One text to embed: a student's answer with its question (group) and expert label (knowledge profile).</summary>
/// <param name="Id">A unique identifier (the row number when the source has none).</param>
/// <param name="Text">The text.</param>
/// <param name="Group">The group it belongs to, e.g. the question id; null when the dataset has none.</param>
/// <param name="Label">The expert label, e.g. "correct"; null when the dataset has none.</param>
public sealed record TextItem(string Id, string Text, string? Group, string? Label)
{
    /// <summary>The source's other columns, by name.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}

/// <summary>Which CSV columns hold what; <see cref="Text"/> is required, the rest optional.</summary>
public sealed record CsvColumnMapping
{
    /// <summary>The column with the text.</summary>
    public string Text { get; init; } = "text";

    /// <summary>The column with a unique id; row numbers are used when null.</summary>
    public string? Id { get; init; }

    /// <summary>The column with the expert label.</summary>
    public string? Label { get; init; }

    /// <summary>The column with the group (e.g. question id).</summary>
    public string? Group { get; init; }
}

/// <summary>
/// An immutable collection of text items with a name and a SHA-256 hash of its content, which run records keep so a
/// result can be traced to the exact data it came from.
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a dataset from items.</summary>
    public Dataset(string name, IReadOnlyList<TextItem> items, string? sourcePath = null, string? contentHash = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(items);
        Name = name;
        Items = items.ToArray();
        SourcePath = sourcePath;
        ContentHash = contentHash ?? HashItems(Items);
    }

    /// <summary>The dataset's name (file stem or short name, plus any subset description).</summary>
    public string Name { get; }

    /// <summary>The file it was read from, if any.</summary>
    public string? SourcePath { get; }

    /// <summary>SHA-256 (hex) of the source file's bytes, or of the items for a derived subset.</summary>
    public string ContentHash { get; }

    /// <summary>The items.</summary>
    public IReadOnlyList<TextItem> Items { get; }

    /// <summary>
    /// Expert labels from best to worst answer quality, when the source declares them (a registry entry's
    /// <c>qualityOrder</c>); empty otherwise. Subsets keep it.
    /// </summary>
    public IReadOnlyList<string> QualityOrder { get; init; } = [];

    /// <summary>Number of items.</summary>
    public int Count => Items.Count;

    /// <summary>The texts, in order.</summary>
    public string[] Texts => Items.Select(i => i.Text).ToArray();

    /// <summary>The ids, in order.</summary>
    public string[] Ids => Items.Select(i => i.Id).ToArray();

    /// <summary>
    /// The expert labels, in order, carrying the dataset's <see cref="QualityOrder"/> (when it declares one) so that
    /// metrics given <c>Truth = dataset.Labels</c> find it. A list of strings: index, count and enumerate it as one.
    /// </summary>
    /// <exception cref="InvalidOperationException">An item has no label (the dataset was loaded without a label column).</exception>
    public LabelVector Labels => LabelVector.FromStrings(Items.Select(i => i.Label ?? throw new InvalidOperationException(
            $"Dataset '{Name}' has no label for item '{i.Id}'; load it with a label column.")).ToArray())
        .WithQualityOrder(QualityOrder.Count > 0 ? QualityOrder : null);

    /// <summary>The groups, in order (null where an item has none).</summary>
    public string?[] Groups => Items.Select(i => i.Group).ToArray();

    /// <summary>The distinct labels, sorted ordinally.</summary>
    public IReadOnlyList<string> LabelNames => Items.Where(i => i.Label is not null).Select(i => i.Label!).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The items that satisfy <paramref name="predicate"/>, as a new dataset.</summary>
    public Dataset Where(Func<TextItem, bool> predicate, string? name = null) =>
        new(name ?? Name + " (subset)", Items.Where(predicate).ToArray(), SourcePath) { QualityOrder = QualityOrder, ReadReport = ReadReport };

    /// <summary>One dataset per group, in order of first appearance; items without a group are skipped.</summary>
    /// <exception cref="InvalidOperationException">The dataset has items but no group column: splitting would give
    /// nothing, so the error says how to map one (its other columns are named).</exception>
    public IReadOnlyList<Dataset> SplitByGroup()
    {
        // Refused rather than "the whole file is one unit": a file without groups is more often a missed mapping than
        // a single question, and treating it as one would silently mix every question's answers.
        if (Items.Count > 0 && Items.All(i => i.Group is null))
        {
            var columns = Items[0].Extra.Keys.ToArray();
            var example = columns.FirstOrDefault(c => c.Contains("question", StringComparison.OrdinalIgnoreCase) || c.Contains("group", StringComparison.OrdinalIgnoreCase))
                          ?? columns.FirstOrDefault() ?? "question_id";
            var source = SourcePath is null ? "" : $"\"{System.IO.Path.GetFileName(SourcePath)}\", ";
            throw new InvalidOperationException(
                $"Dataset '{Name}' has no group column, so SplitByGroup() has nothing to split by. Map one when loading, e.g. " +
                $"Lab.LoadDataset({source}group: \"{example}\")" +
                (columns.Length > 0 ? $" (its other columns: {string.Join(", ", columns)})" : "") +
                ", or use the whole dataset as one unit.");
        }
        return Items.Where(i => i.Group is not null).GroupBy(i => i.Group!)
            .Select(g => new Dataset($"{Name}/{g.Key}", g.ToArray(), SourcePath) { QualityOrder = QualityOrder, ReadReport = ReadReport }).ToArray();
    }

    /// <summary>
    /// This dataset declaring <paramref name="qualityOrder"/> (best label first; empty: none), checked against its labels.
    /// </summary>
    /// <param name="qualityOrder">The labels from best to worst answer quality.</param>
    /// <param name="declaredIn">The file that declares it (e.g. a dataset.yaml), named in errors with
    /// <paramref name="line"/>; null when it is given in code (the error is then an <see cref="ArgumentException"/>).</param>
    /// <param name="line">The line of the declaration in <paramref name="declaredIn"/>.</param>
    /// <exception cref="DataFormatException">(declared in a file) The dataset has no labels, or the order names a label
    /// it lacks or names one twice.</exception>
    /// <exception cref="ArgumentException">(given in code) The same faults.</exception>
    public Dataset WithQualityOrder(IReadOnlyList<string> qualityOrder, string? declaredIn = null, int line = 1)
    {
        ArgumentNullException.ThrowIfNull(qualityOrder);
        if (qualityOrder.Count > 0 && Fault(qualityOrder) is { } fault)
            throw declaredIn is null
                ? new ArgumentException($"Quality order for dataset '{Name}': {fault}", nameof(qualityOrder))
                : new DataFormatException(declaredIn, line, fault);
        return new Dataset(Name, Items, SourcePath, ContentHash) { QualityOrder = qualityOrder.ToArray(), ReadReport = ReadReport };
    }

    private string? Fault(IReadOnlyList<string> qualityOrder)
    {
        var present = LabelNames;
        if (present.Count == 0) return $"dataset '{Name}' has no label column to order; map one (label: \"...\").";
        foreach (var label in qualityOrder)
            if (!present.Contains(label, StringComparer.Ordinal))
                return $"the quality order names label '{label}', which no item of dataset '{Name}' has; its labels: {string.Join(", ", present)}.";
        var twice = qualityOrder.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? null : $"the quality order names label '{twice.Key}' twice.";
    }

    /// <summary>
    /// What reading the source found and did: invalid UTF-8 replaced, empty texts kept or skipped. All zero for a
    /// dataset built from items.
    /// </summary>
    public DatasetReadReport ReadReport { get; init; } = DatasetReadReport.None;

    /// <summary>
    /// Loads a CSV file (TSV when its name ends in <c>.tsv</c> or <c>.tab</c>, or any separator the options give) with
    /// the given column mapping.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="mapping">Which columns hold the text, id, label and group.</param>
    /// <param name="options">The separator and quoting, and what to do with invalid UTF-8 and empty texts; by default
    /// invalid UTF-8 is refused and empty texts are kept. Either way <see cref="ReadReport"/> counts them.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed or not UTF-8, a mapped column is missing, or an id
    /// repeats (file and line named).</exception>
    public static Dataset LoadCsv(string path, CsvColumnMapping mapping, TextReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        options ??= new TextReadOptions();
        var table = CsvTable.Load(path, options);
        int text = table.ColumnIndex(mapping.Text);
        int id = mapping.Id is null ? -1 : table.ColumnIndex(mapping.Id);
        int label = mapping.Label is null ? -1 : table.ColumnIndex(mapping.Label);
        int group = mapping.Group is null ? -1 : table.ColumnIndex(mapping.Group);
        var used = new HashSet<int> { text, id, label, group };
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = new List<TextItem>(table.Records.Count);
        var emptyLines = new List<int>();
        for (int r = 0; r < table.Records.Count; r++)
        {
            var record = table.Records[r];
            var itemId = id >= 0 ? record.Fields[id] : (r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!seen.TryAdd(itemId, record.Line))
                throw new DataFormatException(path, record.Line, $"id '{itemId}' repeats the id on line {seen[itemId]}.");
            if (string.IsNullOrWhiteSpace(record.Fields[text]))
            {
                emptyLines.Add(record.Line);
                if (options.EmptyText == EmptyTextHandling.Skip) continue;
            }
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < table.Header.Count; c++)
                if (!used.Contains(c)) extra[table.Header[c]] = record.Fields[c];
            items.Add(new TextItem(itemId, record.Fields[text],
                group >= 0 ? record.Fields[group] : null,
                label >= 0 ? record.Fields[label] : null) { Extra = extra });
        }
        var hash = KpLab.Abstractions.ContentHash.OfFile(path);
        var report = new DatasetReadReport(table.ReplacedInvalidUtf8, emptyLines, options.EmptyText);
        return new Dataset(Path.GetFileNameWithoutExtension(path), items, Path.GetFullPath(path), hash) { ReadReport = report };
    }

    private static string HashItems(IReadOnlyList<TextItem> items) =>
        KpLab.Abstractions.ContentHash.OfFields(items.SelectMany(i => new[] { i.Id, i.Text, i.Group, i.Label }));

    /// <inheritdoc />
    public override string ToString() => $"Dataset '{Name}' ({Count} items)";
}
