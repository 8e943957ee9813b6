using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Data.Tests;

/// <summary>
/// Tab- and otherwise-separated files, read as Python's csv module reads them (Fixtures/delimited/make_fixtures.py
/// wrote the files and the fields csv.reader found in expected.json), and the quality order that travels with labels.
/// </summary>
public sealed class DelimitedTextTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "delimited");
    private readonly string _dir = Directory.CreateTempSubdirectory("kplab-delimited-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[][] Expected(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json")));
        return json.RootElement.GetProperty(file).EnumerateArray()
            .Select(r => r.EnumerateArray().Select(f => f.GetString()!).ToArray()).ToArray();
    }

    private static string[][] Read(CsvTable table) => table.Records.Select(r => r.Fields.ToArray()).Prepend(table.Header.ToArray()).ToArray();

    [Fact]
    public void A_tsv_is_read_by_its_extension_as_python_csv_reads_it()
    {
        // Quoted fields with tabs, doubled quotes and line breaks, and a quote inside an unquoted field (as text).
        var table = CsvTable.Load(Path.Combine(Fixtures, "answers.tsv"));
        Assert.Equal('\t', table.Separator);
        Assert.Equal(Expected("answers.tsv"), Read(table));
    }

    [Fact]
    public void Another_separator_is_read_when_the_options_give_it()
    {
        var path = Path.Combine(Fixtures, "answers.psv");
        Assert.Equal(Expected("answers.psv"), Read(CsvTable.Load(path, new TextReadOptions { Separator = '|' })));
        // Without the option a .psv is comma-separated: one column per line, and the header's count decides.
        Assert.Throws<DataFormatException>(() => CsvTable.Load(path));
    }

    [Fact]
    public void Quotes_as_ordinary_characters_are_read_with_quoting_none()
    {
        var path = Path.Combine(Fixtures, "literal.tsv");
        Assert.Equal(Expected("literal.tsv"), Read(CsvTable.Load(path, new TextReadOptions { Quoting = FieldQuoting.None })));
        // With RFC 4180 quoting the unbalanced quote swallows the rest; the error says how to read such a file.
        var error = Assert.Throws<DataFormatException>(() => CsvTable.Load(path));
        Assert.Contains("Quoting = FieldQuoting.None", error.Message);
        Assert.StartsWith(path + ":", error.Message);
    }

    [Fact]
    public void A_comma_file_still_refuses_a_quote_inside_an_unquoted_field_and_suggests_the_separator()
    {
        var path = Path.Combine(_dir, "tabs-in-disguise.csv");
        File.WriteAllText(path, "id,answer\n1,the \"jumping\" frog\n");
        var error = Assert.Throws<DataFormatException>(() => CsvTable.Load(path));
        Assert.Equal(2, error.Line);
        Assert.Contains("name it .tsv, or give TextReadOptions { Separator = ... }", error.Message);
    }

    [Fact]
    public void A_dataset_loads_from_a_tsv_with_its_mapping()
    {
        var d = Dataset.LoadCsv(Path.Combine(Fixtures, "answers.tsv"), new CsvColumnMapping { Id = "id", Text = "answer", Label = "label", Group = "question_id" });
        Assert.Equal(Expected("answers.tsv").Skip(1).Select(r => r[2]), d.Texts);
        Assert.Equal(["Q1", "Q2", "Q3"], d.SplitByGroup().Select(g => g.Items[0].Group));
    }

    [Fact]
    public void Labels_carry_the_quality_order_into_subsets()
    {
        var d = Dataset.LoadCsv(Path.Combine(Fixtures, "answers.tsv"), new CsvColumnMapping { Id = "id", Text = "answer", Label = "label", Group = "question_id" })
            .WithQualityOrder(["correct", "contradictory", "irrelevant"], "test");
        LabelVector labels = d.Labels;
        Assert.Equal(["correct", "contradictory", "correct", "irrelevant", "correct"], labels);
        Assert.Equal(["correct", "contradictory", "irrelevant"], labels.QualityOrder);
        // A question keeps the whole order, though it lacks some labels: metrics use those present.
        var q2 = d.SplitByGroup()[1];
        Assert.Equal(["correct", "irrelevant"], q2.Labels);
        Assert.Equal(["correct", "contradictory", "irrelevant"], q2.Labels.QualityOrder);
        // Without a declared order the labels carry none.
        Assert.Null(Dataset.LoadCsv(Path.Combine(Fixtures, "answers.tsv"), new CsvColumnMapping { Text = "answer", Label = "label" }).Labels.QualityOrder);
    }

    [Fact]
    public void A_quality_order_naming_an_absent_label_is_refused_naming_where_it_was_declared()
    {
        var d = Dataset.LoadCsv(Path.Combine(Fixtures, "answers.tsv"), new CsvColumnMapping { Text = "answer", Label = "label" });
        var error = Assert.Throws<DataFormatException>(() => d.WithQualityOrder(["correct", "partially_correct"], "/data/x/dataset.yaml"));
        Assert.Equal("/data/x/dataset.yaml:1: the quality order names label 'partially_correct', which no item of dataset 'answers' has; its labels: contradictory, correct, irrelevant.",
            error.Message);
        Assert.Throws<DataFormatException>(() => d.WithQualityOrder(["correct", "correct"], "here"));
        Assert.Equal("Quality order for dataset 'answers': the quality order names label 'good', which no item of dataset 'answers' has; " +
                     "its labels: contradictory, correct, irrelevant. (Parameter 'qualityOrder')",
            Assert.Throws<ArgumentException>(() => d.WithQualityOrder(["good"])).Message);
        Assert.Throws<ArgumentException>(() => LabelVector.FromStrings(["a", "b"]).WithQualityOrder(["a", "a"]));
    }

    [Fact]
    public void SplitByGroup_without_a_group_column_says_how_to_map_one()
    {
        var d = Dataset.LoadCsv(Path.Combine(Fixtures, "answers.tsv"), new CsvColumnMapping { Id = "id", Text = "answer", Label = "label" });
        var error = Assert.Throws<InvalidOperationException>(() => d.SplitByGroup());
        Assert.Equal("Dataset 'answers' has no group column, so SplitByGroup() has nothing to split by. Map one when loading, e.g. " +
                     "Lab.LoadDataset(\"answers.tsv\", group: \"question_id\") (its other columns: question_id), or use the whole dataset as one unit.",
            error.Message);
        Assert.Empty(new Dataset("empty", []).SplitByGroup());
    }
}
