using System.Text;
using System.Text.Unicode;
using nietras.SeparatedValues;

namespace KpLab.Data;

/// <summary>
/// A CSV or TSV file read by RFC 4180 rules, through the Sep library: separated fields, double-quoted fields may hold
/// separators, quotes (doubled) and line breaks; CRLF, LF or CR line ends; blank lines are skipped; UTF-8 with or
/// without a byte-order mark. The first record is the header. KpLab checks what Sep leaves to the caller, so every
/// error names the file and the line where the bad record starts: stray or unclosed quotes, field counts that differ
/// from the header, duplicate column names and (unless <see cref="InvalidUtf8Handling.Replace"/> is asked for) bytes
/// that are not UTF-8, with their byte offset.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string source, char separator, IReadOnlyList<string> header, IReadOnlyList<CsvRecord> records, int replaced)
    {
        Source = source;
        Separator = separator;
        Header = header;
        Records = records;
        ReplacedInvalidUtf8 = replaced;
    }

    /// <summary>The file name or other description of the source.</summary>
    public string Source { get; }

    /// <summary>The field separator: ',' for CSV, '\t' for TSV.</summary>
    public char Separator { get; }

    /// <summary>The column names from the first record.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The data records, in file order.</summary>
    public IReadOnlyList<CsvRecord> Records { get; }

    /// <summary>How many invalid UTF-8 sequences were replaced by U+FFFD (0 unless reading with <see cref="InvalidUtf8Handling.Replace"/>).</summary>
    public int ReplacedInvalidUtf8 { get; }

    /// <summary>The index of column <paramref name="name"/>.</summary>
    /// <exception cref="DataFormatException">No such column; the message lists the header.</exception>
    public int ColumnIndex(string name)
    {
        for (int i = 0; i < Header.Count; i++) if (Header[i] == name) return i;
        throw new DataFormatException(Source, 1, $"no column '{name}'; the header has: {string.Join(", ", Header)}.");
    }

    /// <summary>The separator a file's name implies: tab for <c>.tsv</c> and <c>.tab</c>, comma otherwise.</summary>
    public static char SeparatorFor(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".tsv" or ".tab" ? '\t' : ',';

    /// <summary>Reads and parses a CSV file (a TSV file when its name ends in <c>.tsv</c> or <c>.tab</c>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="invalidUtf8">Whether bytes that are not UTF-8 are refused (the default) or replaced and counted.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed or not UTF-8.</exception>
    public static CsvTable Load(string path, InvalidUtf8Handling invalidUtf8 = InvalidUtf8Handling.Refuse) =>
        Load(path, new TextReadOptions { InvalidUtf8 = invalidUtf8 });

    /// <summary>
    /// Reads and parses a delimited text file: the separator from <paramref name="options"/> or else the file name
    /// (<see cref="SeparatorFor"/>), quotes and invalid UTF-8 as <paramref name="options"/> say.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed or not UTF-8.</exception>
    public static CsvTable Load(string path, TextReadOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such CSV file.", path);
        var separator = options.Separator ?? SeparatorFor(path);
        if (separator is '"' or '\n' or '\r')
            throw new ArgumentException($"{path}: {(separator == '"' ? "'\"'" : "a line break")} cannot separate fields.", nameof(options));
        var (text, replaced) = DecodeUtf8(File.ReadAllBytes(path), path, options.InvalidUtf8);
        return Parse(text, path, separator, options.Quoting, replaced);
    }

    /// <summary>Parses CSV (or, with <paramref name="separator"/> '\t', TSV) text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">The text is malformed.</exception>
    public static CsvTable Parse(string text, string source, char separator = ',', FieldQuoting quoting = FieldQuoting.Rfc4180) =>
        Parse(text, source, separator, quoting, 0);

    private static CsvTable Parse(string text, string source, char separator, FieldQuoting quoting, int replaced)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var rows = new List<CsvRecord>();
        // Sep splits records and fields (quotes included); the raw fields are checked and unquoted here, so that a
        // malformed field is an error with its line rather than a silently different value.
        bool quotes = quoting == FieldQuoting.Rfc4180;
        using (var reader = Sep.New(separator).Reader(o => o with { HasHeader = false, DisableColCountCheck = true, DisableQuotesParsing = !quotes })
                   .FromText(text))
        {
            foreach (var row in reader)
            {
                int line = row.LineNumberFrom;
                if (row.ColCount == 1 && row[0].Span.IsEmpty) continue; // a blank line
                var fields = new string[row.ColCount];
                for (int c = 0; c < fields.Length; c++)
                {
                    var raw = row[c].Span;
                    // Only a comma-separated file forbids a quote inside an unquoted field (RFC 4180); other separators'
                    // exports write such quotes as text.
                    fields[c] = quotes ? Unquote(raw, source, line, strict: separator == ',') : raw.ToString();
                    line += raw.Count('\n') + raw.Count('\r') - raw.Count("\r\n");
                }
                rows.Add(new CsvRecord(row.LineNumberFrom, fields));
            }
        }
        if (rows.Count == 0) throw new DataFormatException(source, 1, "the file is empty; a header line is needed.");
        var header = rows[0].Fields;
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DataFormatException(source, rows[0].Line, $"column '{duplicate.Key}' appears twice in the header.");
        for (int r = 1; r < rows.Count; r++)
            if (rows[r].Fields.Count != header.Count)
                throw new DataFormatException(source, rows[r].Line,
                    $"{rows[r].Fields.Count} fields, but the header has {header.Count}" +
                    (quotes && rows[r].Fields.Any(f => f.Contains('"', StringComparison.Ordinal) || f.Contains('\n', StringComparison.Ordinal))
                        ? "; if the file's quotes are ordinary characters (e.g. 5\" tall), read it with TextReadOptions { Quoting = FieldQuoting.None }."
                        : "."));
        return new CsvTable(source, separator, header, rows.Skip(1).ToArray(), replaced);
    }

    /// <summary>
    /// The value of a raw field: as it is when unquoted (it must then hold no quote), or without its enclosing quotes and
    /// with doubled quotes undoubled. <paramref name="line"/> is where the field starts.
    /// </summary>
    private static string Unquote(ReadOnlySpan<char> raw, string source, int line, bool strict)
    {
        if (raw.IsEmpty || raw[0] != '"')
        {
            int stray = raw.IndexOf('"');
            if (stray >= 0 && strict)
                throw new DataFormatException(source, line + LineBreaks(raw[..stray]),
                    "a '\"' inside an unquoted field; quote the field and double the quote (a file separated by tabs or " +
                    "another character: name it .tsv, or give TextReadOptions { Separator = ... }).");
            return raw.ToString();
        }
        var value = new StringBuilder(raw.Length);
        for (int i = 1; i < raw.Length; i++)
        {
            if (raw[i] != '"') { value.Append(raw[i]); continue; }
            if (i + 1 < raw.Length && raw[i + 1] == '"') { value.Append('"'); i++; continue; }
            if (i + 1 < raw.Length)
                throw new DataFormatException(source, line + LineBreaks(raw[..i]),
                    $"unexpected character '{raw[i + 1]}' after a closing quote; a field's quotes must enclose all of it.");
            return value.ToString();
        }
        throw new DataFormatException(source, line, "a quoted field is never closed (missing '\"').");
    }

    private static int LineBreaks(ReadOnlySpan<char> text) => text.Count('\n') + text.Count('\r') - text.Count("\r\n");

    /// <summary>
    /// Decodes UTF-8 bytes; an invalid sequence is refused with its line and byte offset, or replaced by U+FFFD and
    /// counted when <paramref name="handling"/> says so.
    /// </summary>
    internal static (string Text, int Replaced) DecodeUtf8(byte[] bytes, string source, InvalidUtf8Handling handling)
    {
        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status == System.Buffers.OperationStatus.Done) return (new string(chars, 0, written), 0);
        if (handling == InvalidUtf8Handling.Refuse)
        {
            int line = 1 + bytes.AsSpan(0, read).Count((byte)'\n');
            throw new DataFormatException(source, line,
                $"invalid UTF-8 at byte offset {read} (0x{bytes[read]:X2}); save the file as UTF-8, or read it with invalid bytes replaced.");
        }
        int replaced = 0;
        var text = new StringBuilder(bytes.Length);
        var rest = bytes.AsSpan();
        while (!rest.IsEmpty)
        {
            Utf8.ToUtf16(rest, chars, out read, out written, replaceInvalidSequences: false);
            text.Append(chars, 0, written);
            rest = rest[read..];
            if (rest.IsEmpty) break;
            System.Text.Rune.DecodeFromUtf8(rest, out _, out int invalid); // the length of one maximal invalid subsequence
            text.Append('\uFFFD');
            replaced++;
            rest = rest[invalid..];
        }
        return (text.ToString(), replaced);
    }

    /// <summary>Formats one record (RFC 4180 quoting where a field needs it, through Sep), without a line end.</summary>
    public static string FormatRecord(IEnumerable<string?> fields, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(fields);
        var values = fields.ToArray();
        return Write(values.Length, [values], separator).TrimEnd('\n');
    }

    /// <summary>Formats a whole table: the header, then one line (LF) per row, each quoted where needed (RFC 4180, through Sep).</summary>
    /// <exception cref="ArgumentException">A row's length differs from the header's.</exception>
    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        return Write(header.Count, rows.Prepend(header), separator);
    }

    /// <summary>
    /// Writes records of <paramref name="columns"/> fields through Sep. The header, if any, is written as the first
    /// record, so column names need not be unique, and a table without rows still has its header line.
    /// </summary>
    private static string Write(int columns, IEnumerable<IReadOnlyList<string?>> records, char separator)
    {
        var names = Enumerable.Range(0, columns).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        using (var writer = Sep.New(separator).Writer(o => o with { Escape = true, WriteHeader = false }).To(text))
        {
            int index = 0;
            foreach (var values in records)
            {
                if (values.Count != columns)
                    throw new ArgumentException($"Row {index - 1} has {values.Count} values; the header has {columns}.", nameof(records));
                using var row = writer.NewRow();
                for (int c = 0; c < columns; c++) row[names[c]].Set(values[c] ?? "");
                index++;
            }
        }
        return text.ToString();
    }
}

/// <summary>One CSV data record.</summary>
/// <param name="Line">The 1-based line where the record starts.</param>
/// <param name="Fields">The field values.</param>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>What reading text does with bytes that are not valid UTF-8.</summary>
public enum InvalidUtf8Handling
{
    /// <summary>Refuse the file, naming the line and byte offset of the first invalid byte.</summary>
    Refuse,

    /// <summary>Replace each invalid sequence with U+FFFD and count the replacements.</summary>
    Replace,
}
