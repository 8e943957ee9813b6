using System.Text.Json;
using System.Text.Json.Serialization;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>
/// What a run leaves behind in <c>run.json</c>: enough to say exactly what produced a result (script and data
/// hashes, plugin versions and assembly hashes, seed, threads) and what it said (log, tables, outputs).
/// </summary>
public sealed class RunRecord
{
    /// <summary>The record format version.</summary>
    public int Format { get; init; } = 1;

    /// <summary>"running", "succeeded", "failed", "compile-error", "cancelled" or "killed" (see <see cref="RunStatus"/>).</summary>
    public string Status { get; set; } = RunStatus.Running;

    /// <summary>The process exit code (null while running).</summary>
    public int? ExitCode { get; set; }

    /// <summary>The script.</summary>
    public required ScriptInfo Script { get; init; }

    /// <summary>Arguments after <c>--</c>.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>The run seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Threads for plugins and kernels.</summary>
    public required int Threads { get; init; }

    /// <summary>The host.</summary>
    public required HostInfo Host { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The process that ran it, so <c>kplab runs</c> can tell a live run from a killed one.</summary>
    public RunProcess? Process { get; init; }

    /// <summary>When it ended (UTC), null while running.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Wall-clock seconds.</summary>
    public double? Seconds { get; set; }

    /// <summary>
    /// Each distinct plugin configuration the script created (kind, name, version, assembly, options), once, with how
    /// many instances were created of it.
    /// </summary>
    public List<PluginUse> Plugins { get; } = [];

    /// <summary>The sweeps the script ran: trial counts and the file that lists the trials.</summary>
    public List<SweepRecord> Sweeps { get; } = [];

    /// <summary>
    /// Earlier attempts of this run, oldest first, when it was continued with <c>--resume</c>: when each started and
    /// how it ended (e.g. "killed").
    /// </summary>
    public List<RunAttempt> Attempts { get; } = [];

    /// <summary>Datasets loaded.</summary>
    public List<DatasetUse> Datasets { get; } = [];

    /// <summary>NuGet packages the script referenced (<c>#r "nuget: ..."</c>) and their dependencies, with hashes.</summary>
    public List<NuGetPackageUse> Packages { get; } = [];

    /// <summary>Other input files read (e.g. .npy matrices), with hashes.</summary>
    public List<InputFile> Inputs { get; } = [];

    /// <summary>Everything logged.</summary>
    public List<LogEntry> Log { get; } = [];

    /// <summary>Everything tabled.</summary>
    public List<TableRecord> Tables { get; } = [];

    /// <summary>Files the script wrote through Lab, relative to the run folder.</summary>
    public List<string> Outputs { get; } = [];

    /// <summary>Files the script copied out of the run folder with <c>Lab.Export</c>.</summary>
    public List<ExportRecord> Exports { get; } = [];

    /// <summary>Compile errors, when the script did not compile.</summary>
    public IReadOnlyList<string>? Diagnostics { get; set; }

    /// <summary>The exception that ended the run, if any.</summary>
    public RunError? Error { get; set; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// Guards every change to the record and every save: the log flusher and the exit guard save from other threads
    /// while the script adds to the lists.
    /// </summary>
    internal Lock Gate { get; } = new();

    /// <summary>Writes the record to <paramref name="path"/> atomically.</summary>
    public void Save(string path)
    {
        string json;
        lock (Gate) json = JsonSerializer.Serialize(this, Json);
        AtomicFile.WriteAllText(path, json);
    }

    /// <summary>Reads a record.</summary>
    public static JsonDocument Read(string path) => JsonDocument.Parse(File.ReadAllText(path));
}

/// <summary>Run statuses.</summary>
public static class RunStatus
{
    /// <summary>Still running (or killed without a trace, until <c>kplab runs</c> finds its process gone).</summary>
    public const string Running = "running";

    /// <summary>Finished without an exception.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>The script threw.</summary>
    public const string Failed = "failed";

    /// <summary>The script did not compile.</summary>
    public const string CompileError = "compile-error";

    /// <summary>Stopped by Ctrl+C.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Found "running" after its process had gone (e.g. SIGKILL, power loss): set by <c>kplab runs</c>.</summary>
    public const string Killed = "killed";
}

/// <summary>The process that ran a run.</summary>
/// <param name="Id">Its process id.</param>
/// <param name="HostName">The machine it ran on.</param>
/// <param name="StartedAt">When the process started (UTC): a later process that reuses the id started later.</param>
public sealed record RunProcess(int Id, string HostName, DateTimeOffset StartedAt)
{
    /// <summary>This process.</summary>
    public static RunProcess Current()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new RunProcess(self.Id, Environment.MachineName, self.StartTime.ToUniversalTime());
    }
}

/// <summary>A file a script copied out of its run folder with <c>Lab.Export</c>.</summary>
/// <param name="File">The file in the run folder (relative to it).</param>
/// <param name="Path">The full path it was copied to.</param>
/// <param name="Sha256">SHA-256 of the copied bytes.</param>
public sealed record ExportRecord(string File, string Path, string Sha256);

/// <summary>The script of a run.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Sha256">SHA-256 of the script file.</param>
/// <param name="Files">Every file of its #load closure with hashes.</param>
public sealed record ScriptInfo(string Path, string Sha256, IReadOnlyList<SourceFileHash> Files)
{
    /// <summary>The compiled-script cache key.</summary>
    public string? CacheKey { get; set; }

    /// <summary>Whether the compiled script came from the cache.</summary>
    public bool? CompiledFromCache { get; set; }

    /// <summary>Seconds spent compiling or loading it.</summary>
    public double? CompileSeconds { get; set; }
}

/// <summary>The host program.</summary>
/// <param name="Name">"kplab".</param>
/// <param name="Version">Its informational version.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="Os">The operating system.</param>
/// <param name="Machine">Machine name.</param>
/// <param name="Processors">Logical processors.</param>
public sealed record HostInfo(string Name, string Version, string Runtime, string Os, string Machine, int Processors)
{
    /// <summary>This process.</summary>
    public static HostInfo Current()
    {
        var assembly = typeof(HostInfo).Assembly;
        var version = assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "?";
        return new HostInfo("kplab", version, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.MachineName, Environment.ProcessorCount);
    }
}

/// <summary>A distinct plugin configuration a run created.</summary>
/// <param name="Kind">"embedder", "clusterer" or "metric".</param>
/// <param name="Name">The plugin's name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Assembly">Its assembly file.</param>
/// <param name="AssemblySha256">SHA-256 of the assembly.</param>
/// <param name="Origin">"bundled" or "external".</param>
/// <param name="Options">The bound options (every option, defaults included).</param>
/// <param name="OptionsSha256">SHA-256 of the options as JSON: the configuration's identity in trial ids.</param>
public sealed record PluginUse(string Kind, string Name, string Version, string Assembly, string AssemblySha256,
    string Origin, object Options, string OptionsSha256)
{
    /// <summary>Instances created of this configuration (a sweep creates one per configuration and clustering seed).</summary>
    public int Created { get; set; } = 1;
}

/// <summary>A sweep a run executed.</summary>
/// <param name="Trials">Trials in the sweep.</param>
/// <param name="Computed">Trials this attempt computed.</param>
/// <param name="FromStore">Trials read back from the trial store (finished by an earlier attempt).</param>
/// <param name="TrialsFile">The file in the run folder listing every trial (index, id, unit, plugins, options, seed).</param>
/// <param name="StoreFolder">The trial store's folder in the run folder (one file per finished trial).</param>
public sealed record SweepRecord(int Trials, int Computed, int FromStore, string TrialsFile, string StoreFolder);

/// <summary>An earlier attempt of a resumed run.</summary>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="EndedAt">When it ended, if it recorded an end.</param>
/// <param name="Status">How it ended ("running" when it was killed without a trace).</param>
public sealed record RunAttempt(DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string Status);

/// <summary>A dataset a run loaded.</summary>
public sealed record DatasetUse(string Name, string? Path, string Sha256, int Items)
{
    /// <summary>Items whose text was empty or only white space (kept, or skipped when <see cref="EmptyTextsSkipped"/>).</summary>
    public int EmptyTexts { get; init; }

    /// <summary>Whether the empty texts were left out of the dataset.</summary>
    public bool EmptyTextsSkipped { get; init; }

    /// <summary>Invalid UTF-8 sequences replaced by U+FFFD (0 unless the script asked for replacement).</summary>
    public int ReplacedInvalidUtf8 { get; init; }
}

/// <summary>An input file a run read.</summary>
public sealed record InputFile(string Path, string Sha256);

/// <summary>A logged line.</summary>
public sealed record LogEntry(DateTimeOffset Time, string Message);

/// <summary>A table a run wrote; its contents live only in its file.</summary>
/// <param name="Name">The table's name.</param>
/// <param name="File">Its CSV file in the run folder.</param>
/// <param name="Columns">Its columns.</param>
/// <param name="Rows">How many rows it has.</param>
/// <param name="Sha256">SHA-256 of the file.</param>
public sealed record TableRecord(string Name, string File, IReadOnlyList<string> Columns, int Rows, string Sha256);

/// <summary>The exception that ended a run.</summary>
/// <param name="Type">Exception type.</param>
/// <param name="Message">Its message.</param>
/// <param name="Location">The script file and line it came from (file:line), when known.</param>
/// <param name="StackTrace">The full trace.</param>
public sealed record RunError(string Type, string Message, string? Location, string StackTrace)
{
    /// <summary>The plugin call that was running or threw (e.g. "clusterer hdbscan: Fit"), when there was one.</summary>
    public string? PluginCall { get; init; }
}
