using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Hosting;

namespace KpLab.Scripting;

/// <summary>
/// What a resumed run must find unchanged from the run it continues: the script (and its #load files), the arguments
/// and seed (checked before the run starts), and every dataset, input file and plugin version it uses (checked as the
/// script loads or creates them). A difference is refused, naming it: a resumed run mixes stored trials with new ones,
/// which is only sound when both come from the same script, data and plugins.
/// </summary>
internal sealed class ResumeCheck
{
    private readonly Dictionary<string, string> _datasets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string Name), (string Version, string Sha256)> _plugins = [];

    private ResumeCheck(string folder, JsonElement previous)
    {
        Folder = folder;
        Previous = previous;
        foreach (var d in Array(previous, "datasets")) _datasets[d.GetProperty("name").GetString()!] = d.GetProperty("sha256").GetString()!;
        foreach (var i in Array(previous, "inputs")) _inputs[i.GetProperty("path").GetString()!] = i.GetProperty("sha256").GetString()!;
        foreach (var p in Array(previous, "plugins"))
            _plugins[(p.GetProperty("kind").GetString()!, p.GetProperty("name").GetString()!)] =
                (p.GetProperty("version").GetString()!, p.GetProperty("assemblySha256").GetString()!);
    }

    /// <summary>The run folder being continued.</summary>
    public string Folder { get; }

    /// <summary>The run record of the attempt being continued.</summary>
    public JsonElement Previous { get; }

    /// <summary>
    /// Reads the record in <paramref name="folder"/> and checks what is known before the script runs; returns the check
    /// for the rest, or the reason the run cannot be resumed.
    /// </summary>
    public static (ResumeCheck? Check, string? Refusal) Open(string folder, ScriptSource source, IReadOnlyList<string> args, int seed)
    {
        var recordPath = Path.Combine(folder, ScriptRunner.RecordFile);
        if (!File.Exists(recordPath)) return (null, $"{folder} is not a run folder (it has no {ScriptRunner.RecordFile}).");
        JsonElement previous;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(recordPath));
            previous = document.RootElement.Clone();
        }
        catch (JsonException e) { return (null, $"{recordPath} cannot be read: {e.Message}"); }
        var script = previous.GetProperty("script");
        var previousPath = script.GetProperty("path").GetString();
        if (!string.Equals(previousPath, source.Path, StringComparison.Ordinal))
            return (null, $"that run ran {previousPath}, not {source.Path}.");
        if (script.GetProperty("sha256").GetString() != source.Sha256)
            return (null, $"the script {source.Path} changed since that run (SHA-256 {Short(script.GetProperty("sha256").GetString())} then, {Short(source.Sha256)} now).");
        var previousFiles = Array(script, "files").ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("sha256").GetString());
        foreach (var file in source.Files)
            if (previousFiles.TryGetValue(file.Path, out var sha) && sha != file.Sha256)
                return (null, $"the loaded file {file.Path} changed since that run.");
        var previousArgs = Array(previous, "args").Select(a => a.GetString()!).ToArray();
        if (!previousArgs.SequenceEqual(args))
            return (null, $"the script arguments differ (then: {Quote(previousArgs)}; now: {Quote(args)}).");
        int previousSeed = previous.GetProperty("seed").GetInt32();
        if (previousSeed != seed) return (null, $"the seed differs (then {previousSeed}, now {seed}).");
        if (previous.TryGetProperty("status", out var status) && status.GetString() == RunStatus.Running
            && previous.TryGetProperty("process", out var process)
            && string.Equals(process.GetProperty("hostName").GetString(), Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            && RunHistory.IsAlive(process.GetProperty("id").GetInt32(), process.GetProperty("startedAt").GetDateTimeOffset()))
            return (null, "that run is still running.");
        return (new ResumeCheck(folder, previous), null);
    }

    /// <summary>The earlier attempts, oldest first, this one included.</summary>
    public IEnumerable<RunAttempt> Attempts()
    {
        foreach (var a in Array(Previous, "attempts"))
            yield return a.Deserialize<RunAttempt>(RunRecord.Json)!;
        yield return new RunAttempt(Previous.GetProperty("startedAt").GetDateTimeOffset(),
            Previous.TryGetProperty("endedAt", out var ended) ? ended.GetDateTimeOffset() : null,
            Previous.GetProperty("status").GetString() ?? RunStatus.Running);
    }

    /// <summary>Refuses a dataset whose content differs from the one the earlier attempt loaded under the same name.</summary>
    public void CheckDataset(Dataset dataset)
    {
        if (_datasets.TryGetValue(dataset.Name, out var sha) && sha != dataset.ContentHash)
            throw Refused($"dataset '{dataset.Name}' changed since the run being resumed (SHA-256 {Short(sha)} then, {Short(dataset.ContentHash)} now)");
    }

    /// <summary>Refuses an input file whose content differs.</summary>
    public void CheckInput(string path)
    {
        if (_inputs.TryGetValue(path, out var sha) && sha != ContentHash.OfFile(path))
            throw Refused($"input {path} changed since the run being resumed");
    }

    /// <summary>Refuses a plugin whose version or assembly differs.</summary>
    public void CheckPlugin(PluginKind kind, PluginDescriptor descriptor)
    {
        if (!_plugins.TryGetValue((kind.ToString().ToLowerInvariant(), descriptor.Name), out var then)) return;
        if (then.Version != descriptor.Version)
            throw Refused($"{kind.ToString().ToLowerInvariant()} '{descriptor.Name}' is version {descriptor.Version} now, {then.Version} in the run being resumed");
        if (then.Sha256 != descriptor.AssemblySha256)
            throw Refused($"{kind.ToString().ToLowerInvariant()} '{descriptor.Name}' {descriptor.Version}: its assembly changed since the run being resumed (SHA-256 {Short(then.Sha256)} then, {Short(descriptor.AssemblySha256)} now)");
    }

    private InvalidOperationException Refused(string difference) =>
        new($"--resume {Folder}: {difference}. Its stored trials would not match; start a new run instead.");

    private static IEnumerable<JsonElement> Array(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    private static string Short(string? sha) => sha is null ? "?" : sha[..Math.Min(12, sha.Length)];

    private static string Quote(IEnumerable<string> args) => string.Join(" ", args.Select(a => LogText.Quote(a))) is { Length: > 0 } s ? s : "none";
}
