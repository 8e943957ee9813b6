namespace KpLab.Data;

/// <summary>How text input is read: what happens to bytes that are not UTF-8 and to empty texts.</summary>
public sealed record TextReadOptions
{
    /// <summary>Refuse invalid UTF-8 (the default: the error names file, line and byte offset) or replace it with U+FFFD.</summary>
    public InvalidUtf8Handling InvalidUtf8 { get; init; } = InvalidUtf8Handling.Refuse;

    /// <summary>Keep items whose text is empty or only white space (the default), or skip them. They are counted either way.</summary>
    public EmptyTextHandling EmptyText { get; init; } = EmptyTextHandling.Keep;

    /// <summary>
    /// The field separator, e.g. ';' or '|'; null (the default) takes it from the file name: tab for <c>.tsv</c> and
    /// <c>.tab</c>, comma otherwise.
    /// </summary>
    public char? Separator { get; init; }

    /// <summary>How double quotes are read (see <see cref="FieldQuoting"/>); RFC 4180 quoting by default.</summary>
    public FieldQuoting Quoting { get; init; } = FieldQuoting.Rfc4180;
}

/// <summary>How a delimited text file's double quotes are read.</summary>
public enum FieldQuoting
{
    /// <summary>
    /// RFC 4180: a field that starts with '"' is quoted (it may hold separators, line breaks and doubled quotes). In a
    /// comma-separated file a quote inside an unquoted field is an error; in any other (e.g. tab-separated) file it is
    /// an ordinary character, as tab-separated exports write them (<c>the "jumping" frog</c>).
    /// </summary>
    Rfc4180,

    /// <summary>
    /// No quoting at all (IANA text/tab-separated-values): every '"' is text, and fields hold no separators or line
    /// breaks. For files with unbalanced quotes, such as <c>5" tall</c>.
    /// </summary>
    None,
}

/// <summary>What reading a dataset does with an item whose text is empty or only white space.</summary>
public enum EmptyTextHandling
{
    /// <summary>Keep the item (an unanswered question is an answer too), and count it.</summary>
    Keep,

    /// <summary>Leave the item out, and count it.</summary>
    Skip,
}

/// <summary>What reading a dataset's source found, for the run record and the log.</summary>
/// <param name="ReplacedInvalidUtf8">Invalid UTF-8 sequences replaced by U+FFFD.</param>
/// <param name="EmptyTextLines">The lines (1-based, where the record starts) whose text is empty or only white space.</param>
/// <param name="EmptyText">Whether those items were kept or skipped.</param>
public sealed record DatasetReadReport(int ReplacedInvalidUtf8, IReadOnlyList<int> EmptyTextLines, EmptyTextHandling EmptyText)
{
    /// <summary>A report of nothing found.</summary>
    public static DatasetReadReport None { get; } = new(0, [], EmptyTextHandling.Keep);

    /// <summary>How many texts were empty or only white space.</summary>
    public int EmptyTexts => EmptyTextLines.Count;

    /// <summary>Whether anything was found worth telling the user.</summary>
    public bool IsClean => ReplacedInvalidUtf8 == 0 && EmptyTexts == 0;

    /// <summary>One line for the log, e.g. "3 empty texts (lines 4, 9, 12) kept; 1 invalid UTF-8 sequence replaced by U+FFFD".</summary>
    public override string ToString()
    {
        if (IsClean) return "no empty texts, no invalid UTF-8";
        var parts = new List<string>();
        if (EmptyTexts > 0)
        {
            var lines = string.Join(", ", EmptyTextLines.Take(10)) + (EmptyTexts > 10 ? ", ..." : "");
            parts.Add($"{EmptyTexts} empty text{(EmptyTexts == 1 ? "" : "s")} (line{(EmptyTexts == 1 ? "" : "s")} {lines}) {(EmptyText == EmptyTextHandling.Skip ? "skipped" : "kept")}");
        }
        if (ReplacedInvalidUtf8 > 0)
            parts.Add($"{ReplacedInvalidUtf8} invalid UTF-8 sequence{(ReplacedInvalidUtf8 == 1 ? "" : "s")} replaced by U+FFFD");
        return string.Join("; ", parts);
    }
}
