namespace KpLab.Data;

/// <summary>Malformed input data: the message names the file and, where it applies, the line.</summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="file"/> at <paramref name="line"/> (1-based; 0 when not line-bound).</summary>
    public DataFormatException(string file, int line, string problem)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
    }

    /// <summary>The file that is malformed.</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 when the problem is not on one line.</summary>
    public int Line { get; }
}
