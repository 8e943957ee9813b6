using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using KpLab.Kernels;

namespace KpLab.Scripting;

/// <summary>How to run one script.</summary>
public sealed record RunRequest
{
    /// <summary>The script file.</summary>
    public required string ScriptPath { get; init; }

    /// <summary>Arguments after <c>--</c>, as <c>Lab.RawArgs</c> and bound by <c>Lab.Argsas <c>Lab.Args</c>lt;Tas <c>Lab.Args</c>gt;()</c>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The run seed.</summary>
    public int Seed { get; init; }

    /// <summary>The shard of the work this run does (<c>--shard</c>), or null for all of it.</summary>
    public ShardAssignment? Shard { get; init; }

    /// <summary>Threads for plugins and kernels.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The folder under which run folders are created (<c>runs</c> in the current folder by default).</summary>
    public string RunsDirectory { get; init; } = "runs";

    /// <summary>The compiled-script cache (null: compile every time).</summary>
    public string? ScriptCacheDirectory { get; init; } = ScriptCompiler.DefaultCacheDirectory();

    /// <summary>The embedding cache (null: no caching).</summary>
    public string? EmbeddingCacheDirectory { get; init; } = EmbeddingCache.DefaultRoot();

    /// <summary>The cache of reduced vectors (null: no caching).</summary>
    public string? ReductionCacheDirectory { get; init; } = ReductionCache.DefaultRoot();

    /// <summary>Where <c>#r "nuget: ..."</c> packages are restored and kept.</summary>
    public string NuGetCacheDirectory { get; init; } = NuGetPackageCache.DefaultDirectory();

    /// <summary>Supplies the plugins, called when the script first asks for one.</summary>
    public required Func<IPluginSource> Plugins { get; init; }

    /// <summary>Where Lab.Log writes.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Where errors, warnings and progress go.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Whether progress is drawn as a live line (stderr is a terminal).</summary>
    public bool LiveProgress { get; init; }

    /// <summary>Stops the run: the script, its plugin calls and the kernels they run.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// The process's signals (null: none): the first SIGINT/SIGTERM cancels the run like <see cref="Cancellation"/>,
    /// a second ends the process at once with the record finished as <c>cancelled</c>.
    /// </summary>
    public RunSignals? Signals { get; init; }

    /// <summary>
    /// A run folder to continue (<c>--resume</c>) instead of starting a new one: its finished sweep trials are read back
    /// from its trial store; refused when the script, arguments, seed, inputs or plugin versions differ.
    /// </summary>
    public string? ResumeDirectory { get; init; }

    /// <summary>
    /// Shard run folders (<c>kplab merge</c>), by shard index, whose trial stores are joined into the new run's before
    /// the script runs; its sweeps then read their trials back (a trial a shard ran but whose file is missing is
    /// refused; one no shard ran, because the sweep's declaration came out differently in the shards or they stopped
    /// before it, is computed and said so), so tables and report are written once, as a single run would write them.
    /// </summary>
    public IReadOnlyList<string>? MergeFrom { get; init; }

    /// <summary>Sweep trials run at once (<c>--jobs</c>), sharing the <see cref="Threads"/> budget.</summary>
    public int Jobs { get; init; } = 1;
}

/// <summary>The outcome of a run.</summary>
/// <param name="ExitCode">0 success, 1 the script threw, 2 the script is missing or did not compile, 130 cancelled.</param>
/// <param name="RunDirectory">The run's folder, or null when none was made (missing script).</param>
/// <param name="Record">The run record, or null when none was made.</param>
public sealed record RunResult(int ExitCode, string? RunDirectory, RunRecord? Record);

/// <summary>Runs scripts: makes the run folder and record, compiles (or loads from the cache), executes, reports.</summary>
public static class ScriptRunner
{
    /// <summary>The run record's file name.</summary>
    public const string RecordFile = "run.json";

    /// <summary>Exit code for a script that threw.</summary>
    public const int ScriptFailed = 1;

    /// <summary>Exit code for a script that is missing or did not compile.</summary>
    public const int ScriptInvalid = 2;

    /// <summary>Exit code for a cancelled run.</summary>
    public const int Cancelled = 130;

    /// <summary>
    /// How long a cancelled run's script gets to stop by itself (its plugin calls and kernels check the token between
    /// blocks) before the run is recorded as cancelled without it: well inside the 2 s a user waits after Ctrl+C.
    /// </summary>
    internal static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="request"/>.</summary>
    public static async Task<RunResult> RunAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Threads < 1)
        {
            request.Error.WriteLine($"kplab: --threads must be at least 1, got {request.Threads}.");
            return new RunResult(ScriptInvalid, null, null);
        }
        ScriptSource source;
        try { source = ScriptSource.Read(request.ScriptPath); }
        catch (FileNotFoundException)
        {
            request.Error.WriteLine($"kplab: script not found: {request.ScriptPath}");
            return new RunResult(ScriptInvalid, null, null);
        }

        var watch = Stopwatch.StartNew();
        // Temp files of runs and cache writes that were killed mid-write (the cache root holds plugins' model caches).
        StaleTempFiles.Remove([request.RunsDirectory, request.ScriptCacheDirectory, request.EmbeddingCacheDirectory,
            KpLab.Abstractions.PluginContext.DefaultCacheDirectory()]);
        if (request.Jobs < 1)
        {
            request.Error.WriteLine($"kplab: --jobs must be at least 1, got {request.Jobs}.");
            return new RunResult(ScriptInvalid, null, null);
        }
        ResumeCheck? resume = null;
        if (request.ResumeDirectory is { } resumeFolder)
        {
            (resume, var refusal) = ResumeCheck.Open(Path.GetFullPath(resumeFolder), source, request.Args, request.Seed);
            if (resume is null)
            {
                request.Error.WriteLine($"kplab: cannot resume {resumeFolder}: {refusal}");
                return new RunResult(ScriptInvalid, null, null);
            }
        }
        string folder;
        var record = new RunRecord
        {
            Script = new ScriptInfo(source.Path, source.Sha256, source.Files),
            Args = request.Args.ToArray(),
            Seed = request.Seed,
            Threads = request.Threads,
            Host = HostInfo.Current(),
            StartedAt = DateTimeOffset.UtcNow,
            Process = RunProcess.Current(),
            Shard = request.Shard?.ToString(),
            MergedFrom = request.MergeFrom?.Select(Path.GetFullPath).ToArray(),
        };
        if (resume is not null) record.Attempts.AddRange(resume.Attempts());
        try
        {
            folder = resume?.Folder ?? CreateRunFolder(request.RunsDirectory, source.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            request.Error.WriteLine($"kplab: cannot create a run folder under {Path.GetFullPath(request.RunsDirectory)}: {e.Message}");
            return new RunResult(ScriptFailed, null, null);
        }
        var recordPath = Path.Combine(folder, RecordFile);
        try
        {
            if (request.MergeFrom is { } shards) JoinTrialStores(shards, Path.Combine(folder, "trials"));
            // A resumed shard run records its sweeps afresh: an earlier attempt's record must not stand for this one's.
            if (request.Shard is not null) File.Delete(Path.Combine(folder, KpLab.Sweeps.SweepShard.RecordFile));
            record.Save(recordPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A run that cannot even write its record (e.g. a full disk) did not start: leave no empty folder behind.
            if (resume is null) TryDeleteEmptyRunFolder(folder);
            request.Error.WriteLine($"kplab: cannot start the run: writing {recordPath} failed: {e.Message}");
            return new RunResult(ScriptFailed, null, null);
        }

        var calls = new PluginCalls();
        var helpShown = new System.Runtime.CompilerServices.StrongBox<bool>();
        int exit;
        using (var writer = new RunRecordWriter(record, recordPath, calls, request.Error))
        {
            // From here on a second signal finishes the record as cancelled, even while the script still compiles.
            request.Signals?.OnForcedExit(() => writer.FinishForcedCancel(request.Signals.FirstSignalAt));
            try
            {
                exit = await ExecuteAsync(request, source, folder, record, writer, calls, resume, helpShown);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failure of the host itself (not the script's): the record still ends, saying what happened.
                lock (record.Gate)
                {
                    record.Status = RunStatus.Failed;
                    record.Error = new RunError(e.GetType().FullName ?? e.GetType().Name, e.Message, null, e.ToString())
                        { PluginCall = calls.FailedCall(e) };
                }
                request.Error.WriteLine($"kplab: {e.Message}");
                exit = ScriptFailed;
            }
        }
        lock (record.Gate)
        {
            record.EndedAt = DateTimeOffset.UtcNow;
            record.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
            record.ExitCode = exit;
        }
        if (helpShown.Value && resume is null && Directory.GetFiles(folder).All(f => Path.GetFileName(f).StartsWith(RecordFile, StringComparison.Ordinal)))
        {
            // `-- --help` lists the script's arguments; it is not a run, so it leaves none behind (unless the script
            // wrote something before asking for its arguments).
            request.Signals?.OnForcedExit(null);
            TryDeleteEmptyRunFolder(folder);
            return new RunResult(exit, null, null);
        }
        record.Save(recordPath);
        request.Signals?.OnForcedExit(null); // a later signal finds the record finished and saved

        return new RunResult(exit, folder, record);
    }

    private static async Task<int> ExecuteAsync(RunRequest request, ScriptSource source, string folder, RunRecord record,
        RunRecordWriter writer, PluginCalls calls, ResumeCheck? resume, System.Runtime.CompilerServices.StrongBox<bool> helpShown)
    {
        var packages = ScriptPackages.Restore(source, new NuGetPackageCache(request.NuGetCacheDirectory), m => request.Error.WriteLine("kplab: " + m));
        record.Packages.AddRange(packages.Packages);
        var compiled = packages.Errors.Count > 0
            ? new CompileResult(null, packages.Errors)
            : new ScriptCompiler(request.ScriptCacheDirectory, w => request.Error.WriteLine("warning: " + w)).Compile(source, packages);
        foreach (var d in compiled.Diagnostics) request.Error.WriteLine(DiagnosticDisplay.Format(d));
        if (compiled.Script is not { } script)
        {
            record.Status = RunStatus.CompileError;
            record.Diagnostics = compiled.Diagnostics.Where(d => d.Severity == "error").Select(d => d.ToString()).ToArray();
            return ScriptInvalid;
        }
        record.Script.CacheKey = script.CacheKey;
        record.Script.CompiledFromCache = script.FromCache;
        record.Script.CompileSeconds = Math.Round(script.Elapsed.TotalSeconds, 3);

        var embeddings = request.EmbeddingCacheDirectory is null
            ? null
            : new EmbeddingCache(request.EmbeddingCacheDirectory, w => request.Error.WriteLine("warning: " + w));
        var plugins = new Lazy<IPluginSource>(request.Plugins);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(request.Cancellation, request.Signals?.Token ?? default);
        var cancel = cancellation.Token;
        long cancelledAt = 0; // UTC ticks of the request; no lock in the callback, which runs on the canceller's thread
        using var noteCancel = cancel.Register(() => Interlocked.CompareExchange(ref cancelledAt, DateTimeOffset.UtcNow.UtcTicks, 0));
        DateTimeOffset? CancelledAt() => Interlocked.Read(ref cancelledAt) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        request.Signals?.OnForcedExit(() => writer.FinishForcedCancel(CancelledAt() ?? request.Signals.FirstSignalAt));
        var lab = new Lab(record, source.Path, folder, request.Args, request.Seed, request.Threads, () => plugins.Value,
            embeddings, request.Output, request.Error, request.LiveProgress, writer.Save, calls)
        {
            Reductions = request.ReductionCacheDirectory is null
                ? null
                : new ReductionCache(request.ReductionCacheDirectory, w => request.Error.WriteLine("warning: " + w)),
            Jobs = request.Jobs,
            Cancellation = cancel,
            Shard = request.Shard,
            MergedShards = request.MergeFrom?.Select(f => KpLab.Sweeps.ShardRecord.Read(f)
                ?? throw new InvalidDataException($"{f} is not a shard run: it has no {KpLab.Sweeps.SweepShard.RecordFile}.")).ToArray(),
            Resume = resume,
        };

        Task? run = null;
        try
        {
            // The run's degree and token reach every kernel the script or its plugins call, in this flow only (a
            // process may hold several runs or trials). On a pool thread: a script that never awaits would otherwise
            // hold this thread, and with it the wait below that lets Ctrl+C or SIGTERM end the run.
            using (KernelParallelism.Override(request.Threads, cancel))
                run = Task.Run(() => script.RunAsync(new ScriptGlobals(lab)), cancel);
            // Yield on completion: cancellation completes this wait on the thread that cancelled, which must not run
            // the rest of the run (saving the record, unregistering handlers) itself.
            await run.WaitAsync(cancel).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            record.Status = RunStatus.Succeeded;
            ReportUnreadArguments(lab, request.Error);
            return 0;
        }
        catch (ScriptHelpShown)
        {
            record.Status = RunStatus.Succeeded;
            helpShown.Value = true;
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Let the script stop by itself for a moment (its current plugin call ends at the next check), so that
            // what it was finishing is kept and nothing of it runs on after the record says it ended.
            if (run is not null)
                await Task.WhenAny(run, Task.Delay(CancellationGrace)).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            var call = calls.Running;
            lock (record.Gate)
            {
                record.Status = RunStatus.Cancelled;
                record.CancelledAt = CancelledAt() ?? DateTimeOffset.UtcNow;
                if (call is not null)
                    record.Error = new RunError(nameof(OperationCanceledException), $"Cancelled during {call}.", null, "") { PluginCall = call };
            }
            request.Error.WriteLine($"kplab: run cancelled{(call is null ? "" : $" during {call}")}.");
            return Cancelled;
        }
        catch (Exception e)
        {
            var error = Unwrap(e);
            var location = script.Locate(error);
            var call = calls.FailedCall(error);
            if (lab.ShardRecord is { } shardRecord && error is not ScriptArgumentException)
            {
                // A shard run whose script threw after a sweep: its code there sees only this shard's trials, and may
                // well need them all (the merge runs it on all). Its trials are stored; the shard has done its work
                // unless a sweep could still have come after the failing line.
                var stopped = $"stopped after sweep {shardRecord.Sweeps.Count} of the script: {error.GetType().Name}: {LogText.Line(error.Message)}" +
                              (location is null ? "" : $" ({location})");
                lab.RecordShardStop(stopped);
                if (!SweepCallSites.Of(source).CouldRunAfter(location))
                {
                    var note = $"shard {lab.Shard}: the script {stopped}; no sweep comes after that line, so the shard's trials are all stored " +
                               "and kplab merge runs that code on every shard's trials.";
                    request.Error.WriteLine("warning: " + note);
                    lab.RecordLog("warning: " + note);
                    record.Status = RunStatus.Succeeded;
                    return 0;
                }
                var skipped = $"shard {lab.Shard}: the script {stopped}; a sweep may come after that line, so its trials were not run by this " +
                              "shard. Code between sweeps sees only this shard's trials: run what needs all of them under `if (Lab.Shard is null)`.";
                request.Error.WriteLine("kplab: " + skipped);
                lab.RecordLog(skipped);
            }
            lock (record.Gate)
            {
                record.Status = RunStatus.Failed;
                record.Error = new RunError(error.GetType().FullName ?? error.GetType().Name, LogText.Line(error.Message), location, error.ToString())
                    { PluginCall = call };
            }
            var inCall = call is null ? "" : $" (in {call})";
            request.Error.WriteLine($"{location ?? source.Path}: error: {error.GetType().Name}: {LogText.Line(error.Message)}{inCall}");
            // A bad argument is a usage error, like a bad kplab option.
            return error is ScriptArgumentException ? ScriptInvalid : ScriptFailed;
        }
    }

    /// <summary>
    /// Flags given to a script that used the obsolete <c>Lab.Arg</c> and never read them (a typo such as
    /// <c>--min-answer</c>): said on stderr and in the run log, so a run that ignored an argument is never silent.
    /// </summary>
    private static void ReportUnreadArguments(Lab lab, TextWriter error)
    {
        foreach (var (flag, nearest) in lab.UnreadArguments())
        {
            var message = $"warning: script argument {flag} was never read by the script, so it had no effect" +
                          (nearest is null ? "." : $"; did you mean {nearest}?");
            error.WriteLine(message);
            lab.RecordLog(message);
        }
    }

    /// <summary>Copies every shard's stored trials into <paramref name="store"/> (a trial in two shards is the same file).</summary>
    private static void JoinTrialStores(IReadOnlyList<string> shards, string store)
    {
        Directory.CreateDirectory(store);
        foreach (var shard in shards)
        {
            var trials = Path.Combine(shard, "trials");
            if (!Directory.Exists(trials)) continue;
            foreach (var file in Directory.GetFiles(trials, "*.json"))
            {
                var target = Path.Combine(store, Path.GetFileName(file));
                if (!File.Exists(target)) KpLab.Data.AtomicFile.WriteAllBytes(target, File.ReadAllBytes(file));
            }
        }
    }

    private static void TryDeleteEmptyRunFolder(string folder)
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder)) File.Delete(file); // only temp files of the failed save
            Directory.Delete(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    continue;
                default:
                    return e;
            }
        }
    }

    /// <summary>A new folder <c>&lt;runs&gt;/&lt;script&gt;/&lt;yyyyMMdd-HHmmss&gt;-&lt;id&gt;</c>, never an existing one.</summary>
    internal static string CreateRunFolder(string runsDirectory, string scriptPath)
    {
        var parent = Path.Combine(Path.GetFullPath(runsDirectory), Path.GetFileNameWithoutExtension(scriptPath));
        Directory.CreateDirectory(parent);
        while (true)
        {
            var name = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" +
                       Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
            var folder = Path.Combine(parent, name);
            if (Directory.Exists(folder)) continue;
            Directory.CreateDirectory(folder);
            return folder;
        }
    }
}
