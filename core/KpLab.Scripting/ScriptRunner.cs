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

    /// <summary>Arguments after <c>--</c>, as <c>Lab.Args</c>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The run seed.</summary>
    public int Seed { get; init; }

    /// <summary>Threads for plugins and kernels.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The folder under which run folders are created (<c>runs</c> in the current folder by default).</summary>
    public string RunsDirectory { get; init; } = "runs";

    /// <summary>The compiled-script cache (null: compile every time).</summary>
    public string? ScriptCacheDirectory { get; init; } = ScriptCompiler.DefaultCacheDirectory();

    /// <summary>The embedding cache (null: no caching).</summary>
    public string? EmbeddingCacheDirectory { get; init; } = EmbeddingCache.DefaultRoot();

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

    /// <summary>Stops the run (Ctrl+C).</summary>
    public CancellationToken Cancellation { get; init; }
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
        var folder = CreateRunFolder(request.RunsDirectory, source.Path);
        var recordPath = Path.Combine(folder, RecordFile);
        var record = new RunRecord
        {
            Script = new ScriptInfo(source.Path, source.Sha256, source.Files),
            Args = request.Args.ToArray(),
            Seed = request.Seed,
            Threads = request.Threads,
            Host = HostInfo.Current(),
            StartedAt = DateTimeOffset.UtcNow,
        };
        record.Save(recordPath);

        int exit;
        try
        {
            exit = await ExecuteAsync(request, source, folder, record, recordPath);
        }
        finally
        {
            record.EndedAt = DateTimeOffset.UtcNow;
            record.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        }
        record.ExitCode = exit;
        record.Save(recordPath);
        return new RunResult(exit, folder, record);
    }

    private static async Task<int> ExecuteAsync(RunRequest request, ScriptSource source, string folder, RunRecord record, string recordPath)
    {
        var packages = ScriptPackages.Restore(source, new NuGetPackageCache(request.NuGetCacheDirectory), m => request.Error.WriteLine("kplab: " + m));
        record.Packages.AddRange(packages.Packages);
        var compiled = packages.Errors.Count > 0
            ? new CompileResult(null, packages.Errors)
            : new ScriptCompiler(request.ScriptCacheDirectory).Compile(source, packages);
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
        var lab = new Lab(record, source.Path, folder, request.Args, request.Seed, request.Threads, () => plugins.Value,
            embeddings, request.Output, request.Error, request.LiveProgress, () => record.Save(recordPath));

        int previousDegree = KernelParallelism.MaxDegree;
        KernelParallelism.MaxDegree = request.Threads;
        try
        {
            var run = script.RunAsync(new ScriptGlobals(lab));
            await run.WaitAsync(request.Cancellation);
            record.Status = RunStatus.Succeeded;
            return 0;
        }
        catch (OperationCanceledException) when (request.Cancellation.IsCancellationRequested)
        {
            record.Status = RunStatus.Cancelled;
            request.Error.WriteLine("kplab: run cancelled.");
            return Cancelled;
        }
        catch (Exception e)
        {
            var error = Unwrap(e);
            var location = script.Locate(error);
            record.Status = RunStatus.Failed;
            record.Error = new RunError(error.GetType().FullName ?? error.GetType().Name, error.Message, location, error.ToString());
            request.Error.WriteLine($"{location ?? source.Path}: error: {error.GetType().Name}: {error.Message}");
            return ScriptFailed;
        }
        finally
        {
            KernelParallelism.MaxDegree = previousDegree;
        }
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
