using System.Text;

namespace KpLab.Data;

/// <summary>
/// A CSV file read by RFC 4180 rules: comma-separated fields, double-quoted fields may hold commas, quotes (doubled)
/// and line breaks; CRLF or LF line ends; UTF-8 with or without a byte-order mark. The first record is the header.
/// Errors name the file and the line where the bad record starts.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string source, IReadOnlyList<string> header, IReadOnlyList<CsvRecord> records)
    {
        Source = source;
        Header = header;
        Records = records;
    }

    /// <summary>The file name or other description of the source.</summary>
    public string Source { get; }

    /// <summary>The column names from the first record.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The data records, in file order.</summary>
    public IReadOnlyList<CsvRecord> Records { get; }

    /// <summary>The index of column <paramref name="name"/>.</summary>
    /// <exception cref="DataFormatException">No such column; the message lists the header.</exception>
    public int ColumnIndex(string name)
    {
        for (int i = 0; i < Header.Count; i++) if (Header[i] == name) return i;
        throw new DataFormatException(Source, 1, $"no column '{name}'; the header has: {string.Join(", ", Header)}.");
    }

    /// <summary>Reads and parses a CSV file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    public static CsvTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such CSV file.", path);
        return Parse(File.ReadAllText(path, new UTF8Encoding(false)), path);
    }

    /// <summary>Parses CSV text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">The text is malformed.</exception>
    public static CsvTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var rows = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool recordHasContent = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"' && field.Length == 0)
            {
                int quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw new DataFormatException(source, quoteLine, "a quoted field is never closed (missing '\"').");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (text[i] == '\n') line++;
                    field.Append(text[i++]);
                }
                recordHasContent = true;
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    throw new DataFormatException(source, line, $"unexpected character '{text[i]}' after a closing quote; a field's quotes must enclose all of it.");
                continue;
            }
            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    recordHasContent = true;
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    break;
                case '\r':
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    i++;
                    break;
                case '"':
                    throw new DataFormatException(source, line, "a '\"' inside an unquoted field; quote the field and double the quote.");
                default:
                    field.Append(c);
                    recordHasContent = true;
                    i++;
                    break;
            }
        }
        EndRecord();
        if (rows.Count == 0) throw new DataFormatException(source, 1, "the file is empty; a header line is needed.");
        var header = rows[0].Fields;
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DataFormatException(source, 1, $"column '{duplicate.Key}' appears twice in the header.");
        for (int r = 1; r < rows.Count; r++)
            if (rows[r].Fields.Count != header.Count)
                throw new DataFormatException(source, rows[r].Line,
                    $"{rows[r].Fields.Count} fields, but the header has {header.Count}.");
        return new CsvTable(source, header, rows.Skip(1).ToArray());

        void EndRecord()
        {
            if (!recordHasContent && fields.Count == 0 && field.Length == 0) return; // blank line
            fields.Add(field.ToString());
            field.Clear();
            rows.Add(new CsvRecord(recordLine, fields.ToArray()));
            fields.Clear();
            recordHasContent = false;
        }
    }

    /// <summary>Formats one CSV record, quoting fields that need it (RFC 4180).</summary>
    public static string FormatRecord(IEnumerable<string?> fields) =>
        string.Join(",", fields.Select(f =>
            f is null ? "" :
            f.IndexOfAny([',', '"', '\n', '\r']) >= 0 || f.StartsWith(' ') || f.EndsWith(' ')
                ? "\"" + f.Replace("\"", "\"\"") + "\""
                : f));
}

/// <summary>One CSV data record.</summary>
/// <param name="Line">The 1-based line where the record starts.</param>
/// <param name="Fields">The field values.</param>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);
