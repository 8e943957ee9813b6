using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>One run found under a runs folder, as <c>kplab runs</c> lists it.</summary>
/// <param name="Folder">The run folder.</param>
/// <param name="Script">The script's path.</param>
/// <param name="Status">Its status (see <see cref="RunStatus"/>); "killed" once its process is known to be gone.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Seconds">How long it ran, when it finished.</param>
/// <param name="ExitCode">The process exit code, when recorded.</param>
/// <param name="Note">Why a status was concluded or cannot be checked (e.g. another host's run), or null.</param>
public sealed record RecordedRun(string Folder, string Script, string Status, DateTimeOffset StartedAt, double? Seconds, int? ExitCode, string? Note);

/// <summary>
/// The runs recorded under a runs folder. A record still saying "running" whose process is gone (SIGKILL, power loss,
/// out-of-memory kill: nothing in the process could finish it) is marked "killed" in its <c>run.json</c> when listed.
/// </summary>
public static class RunHistory
{
    // Process start times are derived from the boot time and clock ticks: allow for their rounding.
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

    /// <summary>Every run under <paramref name="runsFolder"/> (<c>&lt;script&gt;/&lt;run&gt;/run.json</c>), oldest first.</summary>
    /// <param name="runsFolder">The folder given to <c>kplab run --runs</c>.</param>
    /// <param name="warn">Told about records that cannot be read.</param>
    public static IReadOnlyList<RecordedRun> List(string runsFolder, Action<string>? warn = null)
    {
        if (!Directory.Exists(runsFolder)) return [];
        var runs = new List<RecordedRun>();
        var search = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true };
        foreach (var path in Directory.EnumerateFiles(runsFolder, ScriptRunner.RecordFile, search))
        {
            try
            {
                runs.Add(Inspect(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
            {
                warn?.Invoke($"{path}: not a readable run record: {e.Message}");
            }
        }
        return runs.OrderBy(r => r.StartedAt).ThenBy(r => r.Folder, StringComparer.Ordinal).ToArray();
    }

    private static RecordedRun Inspect(string path)
    {
        var record = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("empty record");
        var status = (string?)record["status"] ?? "?";
        string? note = null;
        if (status == RunStatus.Running && record["process"] is JsonObject process)
        {
            int id = (int?)process["id"] ?? 0;
            var host = (string?)process["hostName"] ?? "";
            var started = process["startedAt"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.MinValue;
            if (!string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
                note = $"process {id} on {host}: cannot check from {Environment.MachineName}";
            else if (!IsAlive(id, started))
            {
                note = $"process {id} was gone when checked at {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z";
                status = MarkKilled(path, note) ?? status;
            }
        }
        return new RecordedRun(Path.GetDirectoryName(Path.GetFullPath(path))!, (string?)record["script"]?["path"] ?? "?", status,
            record["startedAt"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.MinValue, (double?)record["seconds"],
            (int?)record["exitCode"], note);
    }

    /// <summary>Whether process <paramref name="id"/> runs and is the one that started at <paramref name="started"/>.</summary>
    internal static bool IsAlive(int id, DateTimeOffset started)
    {
        if (id <= 0) return false;
        try
        {
            using var process = Process.GetProcessById(id);
            if (process.HasExited) return false;
            return (process.StartTime.ToUniversalTime() - started.UtcDateTime).Duration() <= StartTimeTolerance;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return true; // a process we may not inspect: do not call its run killed
        }
    }

    /// <summary>Rewrites the record as killed (keeping every other field) unless it changed meanwhile; the new status or null.</summary>
    private static string? MarkKilled(string path, string note)
    {
        // Read again just before writing: a record finished since the first read is left as its run wrote it.
        var record = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        if ((string?)record["status"] != RunStatus.Running) return (string?)record["status"];
        record["status"] = RunStatus.Killed;
        record["error"] ??= new JsonObject
        {
            ["type"] = "Killed",
            ["message"] = $"The run never finished: its {note}, with the record still saying running (killed, e.g. SIGKILL or out of memory).",
            ["stackTrace"] = "",
        };
        try
        {
            AtomicFile.WriteAllText(path, record.ToJsonString(RunRecord.Json));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Listing still shows the truth; the record is updated by the next listing that can write.
        }
        return RunStatus.Killed;
    }

    /// <summary>A fixed-width table of <paramref name="runs"/>, folders relative to <paramref name="runsFolder"/>.</summary>
    public static string Format(IReadOnlyList<RecordedRun> runs, string runsFolder)
    {
        var lines = new List<string[]> { new[] { "started (UTC)", "status", "seconds", "exit", "run" } };
        foreach (var r in runs)
            lines.Add([
                r.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                r.Status,
                r.Seconds?.ToString("F1", CultureInfo.InvariantCulture) ?? "",
                r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "",
                Path.GetRelativePath(runsFolder, r.Folder) + (r.Note is null ? "" : $"  ({r.Note})"),
            ]);
        var widths = Enumerable.Range(0, 4).Select(c => lines.Max(l => l[c].Length)).ToArray();
        return string.Join('\n', lines.Select(l =>
            $"{l[0].PadRight(widths[0])}  {l[1].PadRight(widths[1])}  {l[2].PadLeft(widths[2])}  {l[3].PadLeft(widths[3])}  {l[4]}")) + "\n";
    }
}
