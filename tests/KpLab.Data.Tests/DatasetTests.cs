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

    [Fact]
    public void Reads_tsv_by_extension_with_quoted_tabs()
    {
        var path = Write("a.tsv", "id\tq\tanswer\tlabel\n1\tQ1\t\"a\tb, c\"\tcorrect\n2\tQ1\tplain, with comma\twrong\n");
        var d = Dataset.LoadCsv(path, Mapping);
        Assert.Equal(["a\tb, c", "plain, with comma"], d.Texts);
        Assert.Equal('\t', CsvTable.Load(path).Separator);
    }

    [Fact]
    public void Invalid_utf8_is_refused_naming_file_line_and_byte_offset()
    {
        var path = Path.Combine(_dir, "latin1.csv");
        var bytes = "id,q,answer,label\n1,Q1,ok,correct\n2,Q1,caf"u8.ToArray().Concat(new byte[] { 0xE9 }).Concat(",wrong\n"u8.ToArray()).ToArray();
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => Dataset.LoadCsv(path, Mapping));
        Assert.Equal(3, e.Line);
        Assert.StartsWith(path + ":3: invalid UTF-8 at byte offset 42 (0xE9)", e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_replaced_and_counted_only_when_asked()
    {
        var path = Path.Combine(_dir, "mixed.csv");
        // 0xE9 alone, then a cut 3-byte sequence (E2 82), then an overlong 2-byte form of '/': three maximal invalid
        // subsequences, and 0xC0 0xAF counts as two (neither byte can start a valid sequence).
        var bytes = "id,q,answer,label\n1,Q1,a"u8.ToArray().Concat(new byte[] { 0xE9, (byte)'b', 0xE2, 0x82, (byte)'c', 0xC0, 0xAF })
            .Concat(",wrong\n"u8.ToArray()).ToArray();
        File.WriteAllBytes(path, bytes);
        var d = Dataset.LoadCsv(path, Mapping, new TextReadOptions { InvalidUtf8 = InvalidUtf8Handling.Replace });
        Assert.Equal("a\uFFFDb\uFFFDc\uFFFD\uFFFD", d.Texts[0]);
        Assert.Equal(4, d.ReadReport.ReplacedInvalidUtf8);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes).Split('\n')[1].Split(',')[2], d.Texts[0]); // as .NET's decoder replaces
    }

    [Fact]
    public void Empty_texts_are_counted_and_kept_or_skipped_as_asked()
    {
        var path = Write("empty.csv", "id,q,answer,label\n1,Q1,fine,correct\n2,Q1,,wrong\n3,Q1,\"  \",wrong\n4,Q2,ok,correct\n");
        var kept = Dataset.LoadCsv(path, Mapping);
        Assert.Equal(4, kept.Count);
        Assert.Equal([3, 4], kept.ReadReport.EmptyTextLines);
        Assert.Equal("2 empty texts (lines 3, 4) kept", kept.ReadReport.ToString());

        var skipped = Dataset.LoadCsv(path, Mapping, new TextReadOptions { EmptyText = EmptyTextHandling.Skip });
        Assert.Equal(["1", "4"], skipped.Ids);
        Assert.Equal(2, skipped.ReadReport.EmptyTexts);
        Assert.Equal("2 empty texts (lines 3, 4) skipped", skipped.ReadReport.ToString());
        Assert.Equal(kept.ContentHash, skipped.ContentHash); // the source file's hash; the report says what was left out
        Assert.True(Dataset.LoadCsv(Write("clean.csv", "id,q,answer,label\n1,Q1,x,y\n"), Mapping).ReadReport.IsClean);
    }

    [Fact]
    public void Quote_after_closing_quote_and_duplicate_header_are_located()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n\"x\ny\"z,1\n", "inline.csv"));
        Assert.Equal(3, e.Line); // the closing quote is on the second line of the record
        Assert.Contains("unexpected character 'z' after a closing quote", e.Message);
        e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("\n\na,b,a\n1,2,3\n", "inline.csv"));
        Assert.Equal(3, e.Line);
        Assert.Contains("column 'a' appears twice", e.Message);
    }

    [Fact]
    public void Format_writes_header_and_rows_that_parse_back()
    {
        string?[][] rows = [["1", "a,b", "say \"hi\""], ["2", "two\nlines", null], ["3", " padded ", "tab\there"]];
        var text = CsvTable.Format(["id", "x", "y"], rows);
        Assert.StartsWith("id,x,y\n1,\"a,b\",\"say \"\"hi\"\"\"\n", text);
        var back = CsvTable.Parse(text, "back.csv");
        Assert.Equal(["id", "x", "y"], back.Header);
        Assert.Equal(rows.Select(r => r.Select(v => v ?? "").ToArray()), back.Records.Select(r => r.Fields.ToArray()));
        Assert.Equal([2, 3, 5], back.Records.Select(r => r.Line));

        Assert.Equal("id,x\n", CsvTable.Format(["id", "x"], []));
        var tsv = CsvTable.Format(["a", "b"], [["x\ty", "z"]], '\t');
        Assert.Equal("a\tb\n\"x\ty\"\tz\n", tsv);
        Assert.Throws<ArgumentException>(() => CsvTable.Format(["a", "b"], [["only one"]]));
    }
}
