using System.Globalization;
using System.Text;

namespace KpLab.Scripting;

/// <summary>
/// Shows a located diagnostic the way compilers do on a terminal: the <c>file:line:col: error ...</c> line, then the
/// source line and a caret under the column, so the reader sees the spot without opening the file.
/// </summary>
public static class DiagnosticDisplay
{
    /// <summary>
    /// <paramref name="diagnostic"/> as its <c>file:line:col</c> line followed, when the file and line can be read, by
    /// the numbered source line and a caret line (tabs in the source are kept, so the caret lines up).
    /// </summary>
    public static string Format(ScriptDiagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var text = new StringBuilder(diagnostic.ToString());
        if (SourceLine(diagnostic.File, diagnostic.Line) is { } line)
        {
            var number = diagnostic.Line.ToString(CultureInfo.InvariantCulture);
            var gutter = new string(' ', number.Length);
            text.Append('\n').Append(' ').Append(number).Append(" | ").Append(line);
            text.Append('\n').Append(' ').Append(gutter).Append(" | ").Append(CaretLine(line, diagnostic.Column));
        }
        return text.ToString();
    }

    /// <summary>Spaces (tabs where the source has them) up to 1-based <paramref name="column"/>, then a caret.</summary>
    internal static string CaretLine(string line, int column)
    {
        var padding = new StringBuilder();
        for (int i = 0; i < column - 1; i++) padding.Append(i < line.Length && line[i] == '\t' ? '\t' : ' ');
        return padding.Append('^').ToString();
    }

    private static string? SourceLine(string file, int line)
    {
        if (line < 1 || !File.Exists(file)) return null;
        try
        {
            return File.ReadLines(file).Skip(line - 1).FirstOrDefault()?.TrimEnd('\r');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the located line alone still says where
        }
    }
}
