using KpLab.Abstractions;
using KpLab.Data;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KpLab.Scripting;

/// <summary>
/// Resolves short dataset names such as "semeval2013-sra" to a CSV file and its column mapping, from a
/// <c>data/&lt;name&gt;/dataset.yaml</c> file found in the script's folder or one of its parents, the current folder
/// or one of its parents, <c>$KPLAB_DATA/&lt;name&gt;/dataset.yaml</c>, or the data sets shipped with kplab
/// (<c>data/&lt;name&gt;/dataset.yaml</c> beside the host: a tool install carries <c>experiments/data</c> there).
/// </summary>
/// <remarks>
/// <c>dataset.yaml</c> has <c>path</c> (the CSV, relative to the yaml file) and the column names <c>text</c>,
/// <c>id</c>, <c>label</c> and <c>group</c>; only <c>path</c> and <c>text</c> are required. Optional:
/// <c>qualityOrder</c> (labels from best to worst answer quality) and <c>separator</c> (one character, e.g. ";" or
/// "\t"; by default from the file's extension).
/// </remarks>
public sealed class DatasetRegistry(IReadOnlyList<string> searchFrom)
{
    /// <summary>The file name of a dataset description.</summary>
    public const string FileName = "dataset.yaml";

    /// <summary>Whether <paramref name="nameOrPath"/> looks like a short name (no folder, no extension).</summary>
    public static bool IsShortName(string nameOrPath) =>
        nameOrPath.IndexOfAny(['/', '\\']) < 0 && !Path.HasExtension(nameOrPath) && nameOrPath.Length > 0;

    /// <summary>The description file of <paramref name="name"/>, or null.</summary>
    public string? Find(string name)
    {
        foreach (var start in searchFrom)
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", name, FileName);
                if (File.Exists(candidate)) return candidate;
            }
        var data = Environment.GetEnvironmentVariable("KPLAB_DATA");
        if (!string.IsNullOrWhiteSpace(data))
        {
            var candidate = Path.Combine(data, name, FileName);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        var shipped = Path.Combine(AppContext.BaseDirectory, "data", name, FileName);
        return File.Exists(shipped) ? shipped : null;
    }

    /// <summary>The CSV path, column mapping, quality order and separator for <paramref name="name"/>, and the description file.</summary>
    /// <exception cref="FileNotFoundException">No description for that name (the message says where it looked).</exception>
    /// <exception cref="DataFormatException">The description is malformed.</exception>
    public (string CsvPath, CsvColumnMapping Mapping, IReadOnlyList<string> QualityOrder, char? Separator, string DescriptionFile) Resolve(string name)
    {
        var file = Find(name) ?? throw new FileNotFoundException(
            $"No dataset named {LogText.Quote(name)}: no data/{name}/{FileName} in {string.Join(" or ", searchFrom.Distinct())} or their parents" +
            " (or $KPLAB_DATA, or those shipped with kplab). Give a CSV path instead, or add the description file.");
        DatasetDescription description;
        try
        {
            description = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance)
                .Build().Deserialize<DatasetDescription>(File.ReadAllText(file)) ?? new DatasetDescription();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new DataFormatException(file, (int)e.Start.Line, e.InnerException?.Message ?? e.Message);
        }
        if (string.IsNullOrWhiteSpace(description.Path)) throw new DataFormatException(file, 1, "'path' (the CSV file) is required.");
        var csv = Path.GetFullPath(description.Path, Path.GetDirectoryName(file)!);
        char? separator = description.Separator switch
        {
            null => null,
            { Length: 1 } one => one[0],
            "\\t" or "tab" => '\t',
            var other => throw new DataFormatException(file, 1, $"'separator' must be one character (e.g. \";\" or \"\\t\"), got {LogText.Quote(other)}."),
        };
        return (csv, new CsvColumnMapping
        {
            Text = description.Text ?? "text",
            Id = description.Id,
            Label = description.Label,
            Group = description.Group,
        }, description.QualityOrder ?? [], separator, file);
    }

    /// <summary>The 1-based line of <paramref name="file"/> where <paramref name="key"/> is set (1 when it is not found).</summary>
    internal static int LineOf(string file, string key)
    {
        var lines = File.ReadAllLines(file);
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].TrimStart().StartsWith(key + ":", StringComparison.Ordinal)) return i + 1;
        return 1;
    }

    private sealed class DatasetDescription
    {
        public string? Path { get; set; }
        public string? Text { get; set; }
        public string? Id { get; set; }
        public string? Label { get; set; }
        public string? Group { get; set; }
        public string? Description { get; set; }
        public string? Name { get; set; }
        public List<string>? QualityOrder { get; set; }
        public string? Separator { get; set; }
        public string? License { get; set; }
        public string? Citation { get; set; }
    }
}
