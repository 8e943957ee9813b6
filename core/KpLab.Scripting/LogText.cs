using System.Globalization;
using System.Text;

namespace KpLab.Scripting;

/// <summary>
/// How log lines and messages show text that came from users and data (script arguments, paths, tokens, cells):
/// quoted and cut to a bounded length, so one 10 MB cell cannot flood the console, the log and <c>run.json</c>.
/// </summary>
public static class LogText
{
    /// <summary>The most characters of a quoted text shown.</summary>
    public const int MaxQuoted = 80;

    /// <summary>The most characters a log line keeps.</summary>
    public const int MaxLineLength = 4000;

    /// <summary>
    /// <paramref name="text"/> in single quotes, with control characters escaped, cut to <paramref name="max"/>
    /// characters with "…" and the full length when longer, e.g. <c>'abc…' (10485760 characters)</c>.
    /// </summary>
    public static string Quote(string? text, int max = MaxQuoted)
    {
        if (text is null) return "(null)";
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        bool cut = text.Length > max;
        var shown = cut ? text[..SafeCut(text, max)] : text;
        var quoted = new StringBuilder(shown.Length + 32).Append('\'');
        foreach (char c in shown)
            switch (c)
            {
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case var control when char.IsControl(control):
                    quoted.Append("\\u").Append(((int)control).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: quoted.Append(c); break;
            }
        if (cut) quoted.Append('…');
        quoted.Append('\'');
        if (cut) quoted.Append(CultureInfo.InvariantCulture, $" ({text.Length} characters)");
        return quoted.ToString();
    }

    /// <summary>
    /// <paramref name="line"/> itself when at most <paramref name="max"/> characters, else its first
    /// <paramref name="max"/> and a note of how many were cut.
    /// </summary>
    public static string Line(string? line, int max = MaxLineLength)
    {
        if (line is null) return "";
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (line.Length <= max) return line;
        int keep = SafeCut(line, max);
        return string.Create(CultureInfo.InvariantCulture, $"{line.AsSpan(0, keep)}… ({line.Length - keep} more characters cut)");
    }

    // Never split a surrogate pair: half a character is invalid UTF-16 in the log and in JSON.
    private static int SafeCut(string text, int length) =>
        length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
}
