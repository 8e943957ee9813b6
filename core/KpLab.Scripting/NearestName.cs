namespace KpLab.Scripting;

/// <summary>
/// The known name closest to a mistyped one (Levenshtein distance), for "did you mean" in errors about unknown
/// flags, options and arguments.
/// </summary>
internal static class NearestName
{
    /// <summary>
    /// The name of <paramref name="known"/> nearest to <paramref name="given"/>, or null when none is near enough to be
    /// a plausible typo (more than a third of the longer name differs, and more than two edits).
    /// </summary>
    public static string? Find(string given, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            int distance = Distance(given, name);
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(name, best) < 0))
            {
                best = name;
                bestDistance = distance;
            }
        }
        if (best is null) return null;
        int allowed = Math.Max(2, Math.Max(given.Length, best.Length) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>" (did you mean X?)" or "" when nothing is near.</summary>
    public static string Suggestion(string given, IEnumerable<string> known) =>
        Find(given, known) is { } near ? $"; did you mean {near}?" : "";

    /// <summary>The Levenshtein distance: insertions, deletions and substitutions, case-sensitive.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
