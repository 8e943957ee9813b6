using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>
/// Removes the temporary files that atomic writes (<c>AtomicFile</c>: <c>.&lt;name&gt;.&lt;pid&gt;@&lt;host&gt;.&lt;guid&gt;.tmp</c>)
/// leave behind when their process is killed mid-write. A file is stale when the process that wrote it is gone, or
/// when a process with its id started after the file was last written (the id was reused); files of live writers are
/// left alone, so concurrent runs on one cache are safe.
/// </summary>
/// <remarks>
/// A pid can only be checked on the machine that wrote the file. On a filesystem shared by a cluster's nodes, a temp
/// file of another host is removed only when nothing has written to it for <see cref="ForeignHostGrace"/> (no write
/// takes that long), so a cleaner on one node never pulls a file from under a live writer on another.
/// </remarks>
internal static partial class StaleTempFiles
{
    // Run folders sit at <runs>/<script>/<run>/ with files one or two levels deeper; caches are shallow too.
    private static readonly EnumerationOptions Search = new()
    {
        RecurseSubdirectories = true,
        MaxRecursionDepth = 4,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        MatchType = MatchType.Simple,
    };

    /// <summary>How long a temp file written on another host must be untouched before it counts as stale.</summary>
    internal static readonly TimeSpan ForeignHostGrace = TimeSpan.FromHours(24);

    /// <summary>Deletes stale temp files under each existing folder of <paramref name="folders"/>; returns how many.</summary>
    public static int Remove(IEnumerable<string?> folders)
    {
        int removed = 0;
        foreach (var folder in folders)
        {
            if (folder is null || !Directory.Exists(folder)) continue;
            IEnumerable<string> candidates;
            try { candidates = Directory.EnumerateFiles(folder, ".*.tmp", Search).ToArray(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var file in candidates)
                if (IsStale(file) && TryDelete(file)) removed++;
        }
        return removed;
    }

    /// <summary>Whether <paramref name="path"/> is an atomic write's temp file whose writer is gone.</summary>
    internal static bool IsStale(string path)
    {
        var match = TempName().Match(Path.GetFileName(path));
        if (!match.Success || !int.TryParse(match.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return false;
        var host = match.Groups["host"];
        if (host.Success && !string.Equals(host.Value, AtomicFile.HostName, StringComparison.OrdinalIgnoreCase))
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > ForeignHostGrace;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited || process.StartTime.ToUniversalTime() > File.GetLastWriteTimeUtc(path);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return true; // no such process
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // a process we may not inspect: it may be a live writer
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // The "@host" part is absent in files written before hosts were recorded: those count as this host's.
    [GeneratedRegex(@"^\..+\.(?<pid>[0-9]{1,10})(@(?<host>[A-Za-z0-9-]{1,63}))?\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();
}
