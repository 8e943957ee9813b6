using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Data.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kplab-dataset-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content, bool bom = false)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content, new System.Text.UTF8Encoding(bom));
        return path;
    }

    private static readonly CsvColumnMapping Mapping = new() { Id = "id", Text = "answer", Label = "label", Group = "q" };

    [Fact]
    public void Reads_rfc4180_quoting_with_bom_and_crlf()
    {
        var path = Write("a.csv",
            "id,q,answer,label,note\r\n" +
            "1,Q1,\"It, has a comma\",correct,x\r\n" +
            "2,Q1,\"She said \"\"no\"\"\",contradictory,\r\n" +
            "3,Q2,\"two\nlines\",correct,\"y\"\r\n", bom: true);
        var d = Dataset.LoadCsv(path, Mapping);
        Assert.Equal(["It, has a comma", "She said \"no\"", "two\nlines"], d.Texts);
        Assert.Equal(["correct", "contradictory", "correct"], d.Labels);
        Assert.Equal("Q1|Q1|Q2", string.Join("|", d.Groups));
        Assert.Equal("x", d.Items[0].Extra["note"]);
        Assert.Equal(2, d.SplitByGroup().Count);
        Assert.Equal(64, d.ContentHash.Length);
    }

    [Fact]
    public void Field_count_error_names_file_and_line_of_the_record()
    {
        var path = Write("bad.csv", "id,q,answer,label\n1,Q1,\"multi\nline\",correct\n2,Q1,short\n");
        var e = Assert.Throws<DataFormatException>(() => Dataset.LoadCsv(path, Mapping));
        Assert.Equal(4, e.Line);
        Assert.StartsWith(path + ":4:", e.Message);
    }

    [Fact]
    public void Unclosed_quote_names_the_line_where_it_opened()
    {
        var path = Write("open.csv", "id,q,answer,label\n1,Q1,ok,correct\n2,Q1,\"never closed,correct\n");
        var e = Assert.Throws<DataFormatException>(() => Dataset.LoadCsv(path, Mapping));
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Missing_column_lists_the_header()
    {
        var path = Write("cols.csv", "id,text\n1,hello\n");
        var e = Assert.Throws<DataFormatException>(() => Dataset.LoadCsv(path, Mapping));
        Assert.Contains("no column 'answer'", e.Message);
        Assert.Contains("id, text", e.Message);
    }

    [Fact]
    public void Duplicate_id_names_both_lines()
    {
        var path = Write("dup.csv", "id,q,answer,label\n7,Q,a,correct\n7,Q,b,correct\n");
        var e = Assert.Throws<DataFormatException>(() => Dataset.LoadCsv(path, Mapping));
        Assert.Equal(3, e.Line);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void Stray_quote_in_unquoted_field_is_an_error()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\nx\"y,z\n", "inline.csv"));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Format_record_quotes_only_when_needed_and_parses_back()
    {
        var line = CsvTable.FormatRecord(["plain", "a,b", "say \"hi\"", null]);
        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",", line);
        var t = CsvTable.Parse("h1,h2,h3,h4\n" + line + "\n", "x");
        Assert.Equal(["plain", "a,b", "say \"hi\"", ""], t.Records[0].Fields);
    }
}
