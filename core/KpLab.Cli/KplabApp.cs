using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Scripting;

namespace KpLab.Cli;

/// <summary>
/// The <c>kplab</c> command line: <c>run</c>, <c>run-all</c>, <c>runs</c>, <c>plugins</c>, <c>cache info|clear</c>, <c>new experiment</c>, <c>setup</c>, <c>submit</c> and <c>merge</c>. Exit codes:
/// 0 success, 1 a script threw or a command failed, 2 a usage error, a missing script or a compile error.
/// </summary>
/// <param name="loadPlugins">Loads the plugins, given the <c>--plugins</c> folders.</param>
public sealed partial class KplabApp(Func<IReadOnlyList<string>, IPluginSource> loadPlugins)
{
    /// <summary>The marker that keeps a library script out of <c>run-all</c>.</summary>
    public const string SkipRunAllMarker = "// kplab: skip-run-all";

    private readonly Option<string[]> _plugins = new("--plugins")
    {
        Description = "Extra folder to load plugins from (repeatable); KPLAB_PLUGIN_PATH adds more.",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<int> _seed = new("--seed") { Description = "The run seed (Lab.Seed, every plugin's random source).", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _threads = new("--threads") { Description = "Threads for plugins and kernels.", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<string> _runs = new("--runs") { Description = "Folder for run records.", DefaultValueFactory = _ => "runs" };
    private readonly Option<bool> _noScriptCache = new("--no-script-cache") { Description = "Compile the script even if a cached build exists." };

    /// <summary>Where output goes (tests redirect it).</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>Where errors go.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>The compiled-script cache folder.</summary>
    public string ScriptCacheDirectory { get; init; } = ScriptCompiler.DefaultCacheDirectory();

    /// <summary>The embedding cache folder.</summary>
    public string EmbeddingCacheDirectory { get; init; } = EmbeddingCache.DefaultRoot();

    /// <summary>How <c>run-all</c> starts a child <c>kplab</c> (defaults to this same program).</summary>
    public Func<IReadOnlyList<string>, ProcessStartInfo> ChildCommand { get; init; } = SelfCommand;

    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    public async Task<int> InvokeAsync(IReadOnlyList<string> args)
    {
        var root = new RootCommand("KpLab: cluster text embeddings into knowledge profiles with scriptable experiments.");
        root.Options.Add(_plugins);
        root.Subcommands.Add(RunCommand(args));
        root.Subcommands.Add(RunAllCommand());
        root.Subcommands.Add(RunsCommand());
        root.Subcommands.Add(PluginsCommand());
        root.Subcommands.Add(CacheCommand());
        root.Subcommands.Add(NewCommand());
        root.Subcommands.Add(SetupCommand());
        root.Subcommands.Add(SubmitCommand());
        root.Subcommands.Add(MergeCommand());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                Error.WriteLine(Suggestion(parsed, error.Message) is { Length: > 0 } near
                    ? $"kplab: {error.Message.TrimEnd('.')}{near}"
                    : $"kplab: {error.Message}");
            Error.WriteLine("Try 'kplab --help'.");
            return 2;
        }
        try
        {
            // No termination handling by System.CommandLine: `run` owns SIGINT/SIGTERM (RunSignals: the first cancels,
            // a second ends the process at once, the record finished either way); elsewhere the default applies.
            return await parsed.InvokeAsync(new InvocationConfiguration
                { Output = Out, Error = Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Failures outside a script (e.g. loading the plugins) get one line, not a stack trace.
            Error.WriteLine($"kplab: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// "; did you mean --threads?" for an error about an unknown option, naming the nearest option of the command
    /// (and its parents) the user meant; "" otherwise.
    /// </summary>
    private static string Suggestion(ParseResult parsed, string message)
    {
        var token = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-') && message.Contains($"'{t}'", StringComparison.Ordinal));
        return token is null ? "" : NearestName.Suggestion(token, OptionNames(parsed.CommandResult.Command, parsed.RootCommandResult.Command));
    }

    private static IEnumerable<string> OptionNames(params Command[] commands) =>
        commands.SelectMany(c => c.Options).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith('-')).Distinct();

    /// <summary>
    /// Words before <c>--</c> that the catch-all script-argument list took: an unknown option (<c>--thread 1</c>) or a
    /// stray word. They are refused (exit 2), never passed on to the script; null when there are none.
    /// </summary>
    private static string? StrayRunArguments(IReadOnlyList<string> raw, IReadOnlyList<string> scriptArgs, Command run)
    {
        int dash = -1;
        for (int i = 0; i < raw.Count; i++)
            if (raw[i] == "--") { dash = i; break; }
        int afterDash = dash < 0 ? 0 : raw.Count - dash - 1;
        var stray = scriptArgs.Take(Math.Max(0, scriptArgs.Count - afterDash)).ToArray();
        if (stray.Length == 0) return null;
        var first = stray[0];
        if (first.StartsWith('-'))
            return $"unknown option {first} for 'kplab run'{NearestName.Suggestion(first.Split('=')[0], OptionNames([run, .. run.Parents.OfType<Command>()]))}. " +
                   $"Script arguments go after '--': kplab run script.csx -- {string.Join(' ', stray)}";
        return $"unexpected argument '{first}' for 'kplab run': script arguments go after '--': kplab run script.csx -- {string.Join(' ', stray)}";
    }

    private Command RunCommand(IReadOnlyList<string> raw)
    {
        var script = new Argument<string>("script") { Description = "The .csx script." };
        var scriptArgs = new Argument<string[]>("args") { Description = "Arguments for the script (after --): Lab.Args<T>() binds them, Lab.RawArgs holds them.", Arity = ArgumentArity.ZeroOrMore };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run in this folder: its finished sweep trials are kept, the rest computed. Refused if the script, arguments, seed, inputs or plugin versions changed.",
        };
        var jobs = new Option<int>("--jobs") { Description = "Sweep trials run at once, sharing --threads; results are identical to --jobs 1.", DefaultValueFactory = _ => 1 };
        var command = new Command("run", "Runs a script, writing its run record under --runs.") { script, scriptArgs, _seed, _threads, _runs, _noScriptCache, resume, jobs, _shard };
        command.SetAction(async (parse, cancel) =>
        {
            if (StrayRunArguments(raw, parse.GetValue(scriptArgs) ?? [], command) is { } stray)
            {
                Error.WriteLine($"kplab: {stray}");
                return ScriptRunner.ScriptInvalid;
            }
            var folders = parse.GetValue(_plugins) ?? [];
            if (!TryParseShard(parse.GetValue(_shard), out var shard)) return 2;
            IPluginSource? source = null;
            using var signals = new RunSignals();
            try
            {
                var result = await ScriptRunner.RunAsync(new RunRequest
                {
                    ScriptPath = parse.GetValue(script)!,
                    Args = parse.GetValue(scriptArgs) ?? [],
                    Seed = parse.GetValue(_seed),
                    Shard = shard,
                    Threads = parse.GetValue(_threads),
                    RunsDirectory = parse.GetValue(_runs)!,
                    ScriptCacheDirectory = parse.GetValue(_noScriptCache) ? null : ScriptCacheDirectory,
                    EmbeddingCacheDirectory = EmbeddingCacheDirectory,
                    // Models are fetched on first use: when the script first asks for a plugin.
                    Plugins = () => { EnsureModels(); return source = LoadPlugins(folders); },
                    Output = Out,
                    Error = Error,
                    LiveProgress = ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected,
                    Cancellation = cancel,
                    Signals = signals,
                    ResumeDirectory = parse.GetValue(resume),
                    Jobs = parse.GetValue(jobs),
                });
                if (result.RunDirectory is not null && result.ExitCode != 0)
                    Error.WriteLine($"kplab: run record: {Path.Combine(result.RunDirectory, ScriptRunner.RecordFile)}");
                return result.ExitCode;
            }
            finally
            {
                (source as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private IPluginSource LoadPlugins(IReadOnlyList<string> folders)
    {
        var source = loadPlugins(folders);
        foreach (var error in source.Errors) Error.WriteLine($"warning: plugin {error.Path}: {error.Message}");
        return source;
    }

    private Command RunAllCommand()
    {
        var folder = new Argument<string>("folder") { Description = "Folder of .csx scripts (searched recursively)." };
        var command = new Command("run-all", "Runs every top-level script of a folder, each in its own process, and prints a summary.")
            { folder, _seed, _threads, _runs };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(folder)!;
            if (!Directory.Exists(dir))
            {
                Error.WriteLine($"kplab: folder not found: {dir}");
                return 2;
            }
            var scripts = TopLevelScripts(dir);
            if (scripts.Count == 0)
            {
                Error.WriteLine($"kplab: no scripts to run in {dir}");
                return 2;
            }
            var common = new List<string>
            {
                "--seed", parse.GetValue(_seed).ToString(CultureInfo.InvariantCulture),
                "--threads", parse.GetValue(_threads).ToString(CultureInfo.InvariantCulture),
                "--runs", Path.GetFullPath(parse.GetValue(_runs)!),
            };
            foreach (var p in parse.GetValue(_plugins) ?? []) common.AddRange(["--plugins", Path.GetFullPath(p)]);

            var results = new List<(string Script, int Exit, double Seconds)>();
            foreach (var script in scripts)
            {
                Out.WriteLine($"== {Path.GetRelativePath(dir, script)}");
                Out.Flush();
                var watch = Stopwatch.StartNew();
                int exit = RunChild(["run", script, .. common]);
                results.Add((Path.GetRelativePath(dir, script), exit, watch.Elapsed.TotalSeconds));
            }
            WriteSummary(results);
            return results.Any(r => r.Exit != 0) ? 1 : 0;
        });
        return command;
    }

    /// <summary>The scripts of <paramref name="folder"/> that run-all runs: not marked skip, not #load-ed by another.</summary>
    public static IReadOnlyList<string> TopLevelScripts(string folder)
    {
        var all = Directory.GetFiles(Path.GetFullPath(folder), "*.csx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in all)
        {
            var text = File.ReadAllText(file);
            if (text.Contains(SkipRunAllMarker, StringComparison.Ordinal)) skipped.Add(file);
            foreach (var load in ScriptSource.LoadDirectives(text, file))
                loaded.Add(Path.GetFullPath(load, Path.GetDirectoryName(file)!));
        }
        return all.Where(f => !loaded.Contains(f) && !skipped.Contains(f)).ToArray();
    }

    private int RunChild(IReadOnlyList<string> args)
    {
        var start = ChildCommand(args);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var child = new Process { StartInfo = start };
        // Relay the child's output through our writers, so callers (and tests) see it in order per stream.
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (Out) Out.WriteLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Error) Error.WriteLine(e.Data); };
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        child.WaitForExit();
        return child.ExitCode;
    }

    private void WriteSummary(IReadOnlyList<(string Script, int Exit, double Seconds)> results)
    {
        static string Status(int exit) => exit switch
        {
            0 => "ok",
            ScriptRunner.ScriptFailed => "failed (1)",
            ScriptRunner.ScriptInvalid => "invalid (2)",
            _ => $"failed ({exit})",
        };
        int width = Math.Max("script".Length, results.Max(r => r.Script.Length));
        int statusWidth = Math.Max("status".Length, results.Max(r => Status(r.Exit).Length));
        Out.WriteLine();
        Out.WriteLine($"{"script".PadRight(width)}  {"status".PadRight(statusWidth)}  {"seconds",8}");
        Out.WriteLine($"{new string('-', width)}  {new string('-', statusWidth)}  {new string('-', 8)}");
        foreach (var (script, exit, seconds) in results)
            Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{script.PadRight(width)}  {Status(exit).PadRight(statusWidth)}  {seconds,8:F1}"));
        int failed = results.Count(r => r.Exit != 0);
        Out.WriteLine($"{results.Count - failed} of {results.Count} scripts succeeded.");
    }

    private static ProcessStartInfo SelfCommand(IReadOnlyList<string> args)
    {
        var self = typeof(KplabApp).Assembly.Location;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host))
            host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host);
        start.ArgumentList.Add(self);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    private Command RunsCommand()
    {
        var folder = new Argument<string>("folder") { Description = "The runs folder (as given to run --runs).", DefaultValueFactory = _ => "runs" };
        var command = new Command("runs", "Lists recorded runs with their status; a run whose process is gone is shown (and recorded) as killed.") { folder };
        command.SetAction(parse =>
        {
            var dir = Path.GetFullPath(parse.GetValue(folder)!);
            if (!Directory.Exists(dir))
            {
                Error.WriteLine($"kplab: folder not found: {dir}");
                return 2;
            }
            var runs = RunHistory.List(dir, w => Error.WriteLine("warning: " + w));
            if (runs.Count == 0) Out.WriteLine($"No runs under {dir}.");
            else Out.Write(RunHistory.Format(runs, dir));
            return 0;
        });
        return command;
    }

    private Command PluginsCommand()
    {
        var command = new Command("plugins", "Lists the plugins: kind, name, version, description, assembly, origin, options and each metric's output columns.");
        command.SetAction(parse =>
        {
            var source = loadPlugins(parse.GetValue(_plugins) ?? []);
            try
            {
                WritePlugins(source);
                return source.Errors.Count == 0 ? 0 : 1;
            }
            finally
            {
                (source as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private void WritePlugins(IPluginSource source)
    {
        if (source.Plugins.Count == 0) Out.WriteLine("No plugins found.");
        foreach (var group in source.Plugins.GroupBy(p => p.Kind))
        {
            Out.WriteLine($"{group.Key.ToString().ToLowerInvariant()}s:");
            foreach (var p in group)
            {
                Out.WriteLine($"  {p.Name} {p.Version} ({p.Origin.ToString().ToLowerInvariant()})");
                if (p.Description.Length > 0) Out.WriteLine($"    {p.Description}");
                Out.WriteLine($"    assembly: {p.AssemblyPath}");
                if (p.Options.Count > 0)
                {
                    int name = p.Options.Max(o => o.Name.Length), type = p.Options.Max(o => o.Type.Length), value = p.Options.Max(o => o.Default.Length);
                    Out.WriteLine("    options:");
                    foreach (var o in p.Options)
                        Out.WriteLine($"      {o.Name.PadRight(name)}  {o.Type.PadRight(type)}  = {o.Default.PadRight(value)}  {o.Description}".TrimEnd());
                }
                if (p.OutputColumns.Count > 0)
                {
                    int name = p.OutputColumns.Max(c => c.Name.Length), type = p.OutputColumns.Max(c => c.Type.Length);
                    Out.WriteLine("    output columns:");
                    foreach (var c in p.OutputColumns)
                        Out.WriteLine($"      {c.Name.PadRight(name)}  {c.Type.PadRight(type)}  {(c.IsKey ? "key" : "")}".TrimEnd());
                }
            }
        }
        if (source.Errors.Count > 0)
        {
            Out.WriteLine("load errors:");
            foreach (var e in source.Errors) Out.WriteLine($"  {e.Path}: {e.Message}");
        }
    }

    private Command CacheCommand()
    {
        var info = new Command("info", "Shows what the embedding and compiled-script caches hold.");
        info.SetAction(_ =>
        {
            var embeddings = new EmbeddingCache(EmbeddingCacheDirectory).Describe();
            Out.WriteLine($"embeddings: {EmbeddingCacheDirectory}");
            if (embeddings.Count == 0) Out.WriteLine("  (empty)");
            foreach (var e in embeddings)
                Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {e.Vectors,8} vectors x {e.Dimension,4}  {e.Packs,3} packs  {Megabytes(e.Bytes),8:F1} MB  {e.Identity}"));
            var scripts = Directory.Exists(ScriptCacheDirectory) ? Directory.GetFiles(ScriptCacheDirectory, "*.dll") : [];
            Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scripts: {ScriptCacheDirectory}\n  {scripts.Length} compiled scripts, {Megabytes(scripts.Sum(f => new FileInfo(f).Length)):F1} MB"));
            return 0;
        });
        var which = new Argument<string>("what") { Description = "embeddings, scripts or all.", DefaultValueFactory = _ => "all" };
        which.AcceptOnlyFromAmong("all", "embeddings", "scripts");
        var clear = new Command("clear", "Deletes cached embeddings and/or compiled scripts (model files are kept).") { which };
        clear.SetAction(parse =>
        {
            var what = parse.GetValue(which);
            if (what is "all" or "embeddings")
            {
                new EmbeddingCache(EmbeddingCacheDirectory).Clear();
                Out.WriteLine($"cleared {EmbeddingCacheDirectory}");
            }
            if (what is "all" or "scripts")
            {
                if (Directory.Exists(ScriptCacheDirectory)) Directory.Delete(ScriptCacheDirectory, recursive: true);
                Out.WriteLine($"cleared {ScriptCacheDirectory}");
            }
            return 0;
        });
        return new Command("cache", "Manages KpLab's caches.") { info, clear };
    }

    private static double Megabytes(long bytes) => bytes / (1024.0 * 1024.0);
}
