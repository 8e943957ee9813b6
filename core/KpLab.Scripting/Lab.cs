using System.Collections;
using System.Text;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Hosting;
using KpLab.Kernels;
using KpLab.Sweeps;

namespace KpLab.Scripting;

/// <summary>The globals object of every script: its members are in scope, so scripts write <c>Lab.LoadNpy(...)</c>.</summary>
public sealed class ScriptGlobals
{
    internal ScriptGlobals(Lab lab) => Lab = lab;

    /// <summary>The script's view of KpLab.</summary>
    public Lab Lab { get; }
}

/// <summary>
/// What a script can do: load data, create plugins, log, write tables and files. Input paths resolve relative to the
/// script's folder; output paths relative to <see cref="Out"/>, the run's own folder. Everything a script writes
/// through Lab stays inside that folder; <see cref="Export"/> copies a file out of it, explicitly. Everything loaded,
/// created, logged, written or exported is kept in the run record.
/// </summary>
public sealed partial class Lab
{
    private readonly RunRecord _record;
    private readonly Func<IPluginSource> _plugins;
    private readonly EmbeddingCache? _embeddings;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly Action _saveRecord;
    private readonly PluginCalls _calls;
    private readonly DatasetRegistry _datasets;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _argumentsRead = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _args;
    private bool _argumentsBound;

    internal Lab(RunRecord record, string scriptPath, string outFolder, IReadOnlyList<string> args, int seed, int threads,
        Func<IPluginSource> plugins, EmbeddingCache? embeddings, TextWriter output, TextWriter error, bool liveProgress,
        Action saveRecord, PluginCalls calls)
    {
        _record = record;
        ScriptPath = scriptPath;
        ScriptDirectory = System.IO.Path.GetDirectoryName(scriptPath)!;
        Out = outFolder;
        _args = args;
        Seed = seed;
        Threads = threads;
        _plugins = plugins;
        _embeddings = embeddings;
        _output = output;
        _error = error;
        _saveRecord = saveRecord;
        _calls = calls;
        _datasets = new DatasetRegistry([ScriptDirectory, Environment.CurrentDirectory]);
        Random = new RandomSource(seed);
        Progress = new LabProgress(error, liveProgress, Log);
    }

    /// <summary>
    /// The words given after <c>--</c>, unparsed (a script that reads them parses them itself; <see cref="Args{T}"/>
    /// binds them to a record, which most scripts want).
    /// </summary>
    public IReadOnlyList<string> RawArgs
    {
        get
        {
            Volatile.Write(ref _argumentsBound, true); // the script parses them itself: nothing to report as unread
            return _args;
        }
    }

    /// <summary>
    /// The script's arguments bound to <typeparamref name="T"/>, a record whose public properties are the flags:
    /// <c>MinAnswers</c> is <c>--min-answers</c>, described by its <see cref="System.ComponentModel.DescriptionAttribute"/>,
    /// defaulting to the record's parameter default or property initializer; int, long, double, float, bool, string,
    /// enums and lists of them. <c>kplab run x.csx -- --help</c> prints them (type, default, description) and ends the
    /// run there, successfully. The bound values are logged.
    /// </summary>
    /// <exception cref="ScriptArgumentException">An unknown flag (the nearest known one is named), a bad or missing
    /// value (the flag and its type are named); the run ends with exit code 2.</exception>
    public T Args<T>() where T : notnull
    {
        var arguments = ScriptArguments.For(typeof(T));
        if (ScriptArguments.AsksForHelp(_args))
        {
            lock (_record.Gate)
            {
                _output.Write(arguments.Help(System.IO.Path.GetFileName(ScriptPath)));
                _output.Flush();
            }
            throw new ScriptHelpShown();
        }
        var bound = (T)arguments.Bind(_args);
        Volatile.Write(ref _argumentsBound, true);
        Log($"arguments: {arguments.Describe(bound)}");
        return bound;
    }

    /// <summary>The value after <c>name</c> (e.g. "--min-answers") in <see cref="RawArgs"/>, or <paramref name="fallback"/>.</summary>
    /// <remarks>A flag no call ever reads (a typo such as <c>--min-answer</c>) is reported at the end of the run.</remarks>
    [Obsolete("Use Lab.Args<T>() with a record of the script's arguments: it refuses unknown flags and bad values and lists them for -- --help.")]
    public string Arg(string name, string fallback)
    {
        _argumentsRead[name] = 0;
        for (int i = 0; i + 1 < _args.Count; i++)
            if (_args[i] == name) return _args[i + 1];
        return fallback;
    }

    /// <summary>The integer after <c>name</c> in <see cref="RawArgs"/>, or <paramref name="fallback"/>.</summary>
    /// <exception cref="ArgumentException">The value is not an integer (the argument is named).</exception>
    [Obsolete("Use Lab.Args<T>() with a record of the script's arguments: it refuses unknown flags and bad values and lists them for -- --help.")]
    public int Arg(string name, int fallback)
    {
#pragma warning disable CS0618 // the string overload is the one lookup
        var text = Arg(name, "");
#pragma warning restore CS0618
        if (text == "") return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"Script argument {name} expects an integer, got {LogText.Quote(text)}.");
    }

    /// <summary>
    /// The flags in <see cref="RawArgs"/> that nothing read: none once <see cref="Args{T}"/> bound them (it refuses unknown
    /// ones), else those no <see cref="Arg(string, string)"/> call asked for, each with the nearest name that was asked
    /// for (null when none is near). The runner reports them at the end of the run.
    /// </summary>
    internal IReadOnlyList<(string Flag, string? Nearest)> UnreadArguments()
    {
        if (Volatile.Read(ref _argumentsBound)) return [];
        return _args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2 && !_argumentsRead.ContainsKey(a))
            .Distinct(StringComparer.Ordinal)
            .Select(a => (a, NearestName.Find(a, _argumentsRead.Keys)))
            .ToArray();
    }

    /// <summary>The run seed (<c>--seed</c>, default 0); every plugin's <see cref="PluginContext.Random"/> uses it.</summary>
    public int Seed { get; }

    /// <summary>Threads for plugins and kernels (<c>--threads</c>).</summary>
    public int Threads { get; }

    /// <summary>
    /// Cancelled when the run is asked to stop (Ctrl+C, SIGTERM). Every plugin call made through Lab gets it (linked
    /// with the caller's own token) and so do the kernels they run; a script's own long loops can check it too.
    /// </summary>
    public CancellationToken Cancellation { get; internal init; }

    /// <summary>
    /// This run's shard of the work (<c>--shard I/N</c> or <c>--shard auto</c> on a job array), or null when the run
    /// does all of it. A script that splits its own work keeps the items <see cref="ShardAssignment.Owns"/> gives it.
    /// </summary>
    public ShardAssignment? Shard { get; internal init; }

    /// <summary>The run's random source (the one plugins get), for the script's own sampling.</summary>
    public RandomSource Random { get; }

    /// <summary>This run's output folder.</summary>
    public string Out { get; }

    /// <summary>The script file.</summary>
    public string ScriptPath { get; }

    /// <summary>The script's folder, against which input paths resolve.</summary>
    public string ScriptDirectory { get; }

    /// <summary>Progress lines for long loops (<c>using var p = Lab.Progress.Start("items", n); ... p.Advance();</c>).</summary>
    public LabProgress Progress { get; }

    /// <summary>An input path resolved against the script's folder.</summary>
    public string Path(string relative) => System.IO.Path.GetFullPath(relative, ScriptDirectory);

    /// <summary>An output path resolved against <see cref="Out"/>; it must stay inside the run folder.</summary>
    /// <exception cref="ArgumentException">The path leads outside the run folder (use <see cref="Export"/>).</exception>
    public string OutPath(string relative) => RunFolderPath(relative, "Lab.OutPath");

    /// <summary>Loads a float32/float64 .npy matrix (path relative to the script); its hash goes into the run record.</summary>
    public EmbeddingMatrix LoadNpy(string path)
    {
        var full = Path(path);
        var matrix = NpyFile.Load(full);
        Resume?.CheckInput(full);
        Record(() => _record.Inputs.Add(new InputFile(full, ContentHash.OfFile(full))));
        return matrix;
    }

    /// <summary>
    /// Loads a dataset: a CSV path (relative to the script; <c>.tsv</c>/<c>.tab</c> are tab-separated, any other
    /// separator through <paramref name="read"/>) with the given columns, or a short name such as "semeval2013-sra"
    /// described by <c>data/&lt;name&gt;/dataset.yaml</c> (columns given here override its mapping). Invalid UTF-8 is
    /// refused unless <paramref name="read"/> asks for replacement; empty texts are kept unless it asks to skip them.
    /// Either is counted in the run record and logged.
    /// </summary>
    /// <param name="nameOrPath">A short name or a file path.</param>
    /// <param name="text">The text column.</param>
    /// <param name="label">The expert label column.</param>
    /// <param name="group">The group column (e.g. "question_id"), which <see cref="Dataset.SplitByGroup"/> splits by.</param>
    /// <param name="id">The id column (row numbers without one).</param>
    /// <param name="read">Separator, quoting, invalid UTF-8 and empty-text handling.</param>
    /// <param name="qualityOrder">The labels from best to worst answer quality (overrides a dataset.yaml's
    /// <c>qualityOrder</c>); it travels with <see cref="Dataset.Labels"/> to every metric that needs it.</param>
    /// <exception cref="DataFormatException">The file is malformed, or the quality order names a label the data lacks.</exception>
    public Dataset LoadDataset(string nameOrPath, string? text = null, string? label = null, string? group = null, string? id = null,
        TextReadOptions? read = null, IReadOnlyList<string>? qualityOrder = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrPath);
        string csv;
        CsvColumnMapping mapping;
        string? shortName = null;
        IReadOnlyList<string> declaredOrder = [];
        string? orderSource = null; // null: given here, in code
        if (DatasetRegistry.IsShortName(nameOrPath) && !File.Exists(Path(nameOrPath)))
        {
            (csv, var described, declaredOrder, var separator, var description) = _datasets.Resolve(nameOrPath);
            if (separator is not null && read?.Separator is null) read = (read ?? new TextReadOptions()) with { Separator = separator };
            if (qualityOrder is null) orderSource = description;
            shortName = nameOrPath;
            mapping = described with
            {
                Text = text ?? described.Text,
                Label = label ?? described.Label,
                Group = group ?? described.Group,
                Id = id ?? described.Id,
            };
        }
        else
        {
            csv = Path(nameOrPath);
            mapping = new CsvColumnMapping { Text = text ?? "text", Label = label, Group = group, Id = id };
        }
        var loaded = Dataset.LoadCsv(csv, mapping, read);
        var named = shortName is null
            ? loaded
            : new Dataset(shortName, loaded.Items, loaded.SourcePath, loaded.ContentHash) { ReadReport = loaded.ReadReport };
        var dataset = named.WithQualityOrder(qualityOrder ?? declaredOrder, orderSource,
            orderSource is null ? 1 : DatasetRegistry.LineOf(orderSource, "qualityOrder"));
        Resume?.CheckDataset(dataset);
        var report = dataset.ReadReport;
        if (!report.IsClean) Log($"dataset {dataset.Name}: {report}");
        Record(() => _record.Datasets.Add(new DatasetUse(dataset.Name, dataset.SourcePath, dataset.ContentHash, dataset.Count)
        {
            EmptyTexts = report.EmptyTexts,
            EmptyTextsSkipped = report.EmptyText == EmptyTextHandling.Skip && report.EmptyTexts > 0,
            ReplacedInvalidUtf8 = report.ReplacedInvalidUtf8,
        }));
        return dataset;
    }

    /// <summary>
    /// The embedder named <paramref name="name"/> with <paramref name="options"/> (anonymous object, dictionary or
    /// typed record). Its vectors are cached on disk: only texts it has not embedded before reach the model.
    /// </summary>
    /// <exception cref="UnknownPluginException">No such embedder.</exception>
    /// <exception cref="PluginOptionException">A bad option.</exception>
    public IEmbedder Embedder(string name, object? options = null)
    {
        var embedder = new TrackedEmbedder((IEmbedder)CreatePlugin(PluginKind.Embedder, name, options), this, name);
        return _embeddings is null ? new ProgressEmbedder(embedder, this, name) : new ProgressEmbedder(_embeddings.Wrap(embedder), this, name);
    }

    /// <summary>The clusterer named <paramref name="name"/> with <paramref name="options"/>.</summary>
    /// <exception cref="UnknownPluginException">No such clusterer.</exception>
    /// <exception cref="PluginOptionException">A bad option.</exception>
    public IClusterer Clusterer(string name, object? options = null) =>
        Track((IClusterer)CreatePlugin(PluginKind.Clusterer, name, options, out var use), use, name);

    /// <summary>The metric named <paramref name="name"/> with <paramref name="options"/>.</summary>
    /// <exception cref="UnknownPluginException">No such metric.</exception>
    /// <exception cref="PluginOptionException">A bad option.</exception>
    public IMetric Metric(string name, object? options = null) =>
        new TrackedMetric((IMetric)CreatePlugin(PluginKind.Metric, name, options), this, name);

    /// <summary>
    /// The reducer named <paramref name="name"/> with <paramref name="options"/>. The embeddings it fits are cached on
    /// disk, keyed by the matrix's content, the reducer's identity and options, the run seed and the thread count:
    /// fitting the same matrix again reads them back (a cached model refits only to transform new rows).
    /// </summary>
    /// <exception cref="UnknownPluginException">No such reducer.</exception>
    /// <exception cref="PluginOptionException">A bad option.</exception>
    public IReducer Reducer(string name, object? options = null)
    {
        var (_, bound, created) = CreatePluginInstance(PluginKind.Reducer, name, options, Seed, Threads);
        IReducer reducer = new TrackedReducer((IReducer)created, this, name);
        if (Reductions is null) return reducer;
        var caching = new CachingReducer(reducer, Reductions,
            [$"options={bound}", $"seed={Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
             $"threads={Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
        return new LoggingReducer(caching, this, name);
    }

    /// <summary>Where fitted reductions are cached (null: not cached).</summary>
    internal ReductionCache? Reductions { get; init; }

    /// <summary>
    /// Prints <paramref name="message"/> and keeps it in the run record; a line longer than
    /// <see cref="LogText.MaxLineLength"/> characters is cut there (saying how much was cut).
    /// </summary>
    public void Log(string message)
    {
        message = LogText.Line(message);
        lock (_record.Gate)
        {
            _output.WriteLine(message);
            _output.Flush();
            _record.Log.Add(new LogEntry(DateTimeOffset.UtcNow, message));
        }
    }

    /// <summary>Keeps <paramref name="message"/> in the run log without printing it (the runner printed it elsewhere).</summary>
    internal void RecordLog(string message) =>
        Record(() => _record.Log.Add(new LogEntry(DateTimeOffset.UtcNow, LogText.Line(message))));

    /// <summary>Writes <paramref name="table"/> to <c>&lt;Out&gt;/&lt;name&gt;.csv</c> and into the run record.</summary>
    public void Table(string name, ResultTable table)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(table);
        if (name.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new ArgumentException($"Table name {LogText.Quote(name)} is not a valid file name.", nameof(name));
        var file = name + ".csv";
        var csv = ResultTables.ToCsv(table);
        AtomicFile.WriteAllText(RunFolderPath(file, "Lab.Table"), csv);
        Record(() =>
        {
            _record.Tables.RemoveAll(t => t.Name == name);
            _record.Tables.Add(new TableRecord(name, file, table.Columns, table.Rows.Count, ContentHash.OfText(csv)));
            AddOutput(RunFolderPath(file, "Lab.Table"));
        }, save: true);
    }

    /// <summary>Writes a metric's rows (key column, then its values) as a table.</summary>
    public void Table(string name, MetricResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Table(name, result.Rows.Count > 0
            ? result.ToTable(name)
            : new ResultTable(name, ["metric", "value", .. result.Components.Keys],
                [[result.Metric, result.Value, .. result.Components.Values.Select(v => (object?)v)]]));
    }

    /// <summary>Writes rows (records, anonymous objects, tuples or dictionaries; columns from their members) as a table.</summary>
    public void Table(string name, IEnumerable rows) => Table(name, ResultTables.FromRows(name, rows));

    /// <summary>
    /// Writes typed rows as a table, columns from <typeparamref name="T"/>'s members in declaration order (an
    /// aggregate's key and estimate flattened into their members), so an empty table keeps its header. Sweep results
    /// (<see cref="Results"/>) are written in long form, one column per <see cref="ResultRow"/> member.
    /// </summary>
    public void Table<T>(string name, IEnumerable<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        // Rows typed only as object (or an interface), and dictionaries, say nothing about their columns in their type:
        // read them from each row.
        if (typeof(T) == typeof(object) || typeof(T).IsInterface || typeof(T).IsAbstract
            || (typeof(T) != typeof(string) && typeof(IEnumerable).IsAssignableFrom(typeof(T))))
            Table(name, (IEnumerable)rows);
        else Table(name, TypedColumns.Table(name, rows));
    }

    /// <summary>
    /// Starts declaring a sweep over <paramref name="units"/> (dataset subsets, e.g. <c>data.SplitByGroup()</c>): add
    /// embedders, clusterers (with option grids), seeds and metrics, then <c>.Run()</c>. Each finished trial is kept in
    /// the run's trial store, so <c>kplab run x.csx --resume &lt;run folder&gt;</c> continues an interrupted run.
    /// </summary>
    public Sweep Sweep(IEnumerable<Dataset> units) => new(new LabSweepHost(this), units);

    /// <summary>Trials a sweep runs at once (<c>--jobs</c>, default 1).</summary>
    public int Jobs { get; internal init; } = 1;


    /// <summary>Set by <c>kplab merge</c>: every sweep trial must be in the run's trial store (the shards' union).</summary>
    internal bool RequiresStoredTrials { get; init; }

    /// <summary>Set when this run continues an earlier one: refuses a changed input or plugin.</summary>
    internal ResumeCheck? Resume { get; init; }

    /// <summary>
    /// Kernel and plugin threads of each sweep trial: the <c>--threads</c> budget shared by <see cref="Jobs"/> trials.
    /// Kernel results do not depend on the thread count (each output element is one fixed-order reduction), which is
    /// what makes <c>--jobs N</c> results bit-identical to <c>--jobs 1</c> (tested).
    /// </summary>
    internal int TrialThreads => Math.Max(1, Threads / Jobs);

    /// <summary>The plugins of this run's sweeps, created once per configuration.</summary>
    internal SweepPlugins SweepPlugins => field ??= new SweepPlugins(this, WrapSweepPlugin);

    private object WrapSweepPlugin(PluginKind kind, string label, object plugin) => plugin switch
    {
        IEmbedder embedder => _embeddings is null
            ? new ProgressEmbedder(new TrackedEmbedder(embedder, this, label), this, label)
            : new ProgressEmbedder(_embeddings.Wrap(new TrackedEmbedder(embedder, this, label)), this, label),
        IClusterer clusterer => new TrackedClusterer(clusterer, this, label),
        IMetric metric => new TrackedMetric(metric, this, label),
        _ => throw new InvalidOperationException($"A {kind} plugin of unexpected type {plugin.GetType()}."),
    };

    /// <summary>"trials.csv" for the run's first sweep, "trials-2.csv" for its second, ...</summary>
    internal string NextTrialsFile()
    {
        int n = Interlocked.Increment(ref _sweeps);
        var file = n == 1 ? "trials.csv" : $"trials-{n}.csv";
        Record(() => AddOutput(System.IO.Path.Combine(Out, file)));
        return file;
    }

    private int _sweeps;

    /// <summary>Records a finished sweep.</summary>
    internal void RecordSweep(SweepRecord sweep) => Record(() => _record.Sweeps.Add(sweep), save: true);

    /// <summary>Writes a matrix as .npy (path relative to <see cref="Out"/>).</summary>
    public void SaveNpy(string path, EmbeddingMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var full = RunFolderPath(path, "Lab.SaveNpy");
        NpyFile.Save(full, matrix);
        Record(() => AddOutput(full));
    }

    /// <summary>Writes a partition as CSV: row, label, and probability and outlier_score when it has them.</summary>
    public void Save(string path, Partition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var full = RunFolderPath(path, "Lab.Save");
        var header = new List<string> { "row", "label" };
        if (partition.Probabilities is not null) header.Add("probability");
        if (partition.OutlierScores is not null) header.Add("outlier_score");
        var rows = Enumerable.Range(0, partition.Count).Select(i =>
        {
            var row = new List<string?> { ResultTables.Format(i), ResultTables.Format(partition.Labels[i]) };
            if (partition.Probabilities is { } p) row.Add(ResultTables.Format(p[i]));
            if (partition.OutlierScores is { } o) row.Add(ResultTables.Format(o[i]));
            return (IReadOnlyList<string?>)row;
        });
        AtomicFile.WriteAllText(full, CsvTable.Format(header, rows));
        Record(() => AddOutput(full));
    }

    /// <summary>Writes an HTML report (path relative to <see cref="Out"/>).</summary>
    public void Save(string path, KpLab.Reporting.HtmlReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var full = RunFolderPath(path, "Lab.Save");
        report.Save(full);
        Record(() => AddOutput(full));
    }

    /// <summary>Writes text to a file (path relative to <see cref="Out"/>).</summary>
    public void SaveText(string path, string text)
    {
        var full = RunFolderPath(path, "Lab.SaveText");
        AtomicFile.WriteAllText(full, text);
        Record(() => AddOutput(full));
    }

    /// <summary>
    /// Copies <paramref name="runFile"/>, a file this run wrote (path relative to <see cref="Out"/>), to
    /// <paramref name="destination"/> outside the run folder (relative paths resolve against the script's folder),
    /// atomically; the copy, its path and hash are listed in the run record. The one way a script writes outside its
    /// run folder through Lab.
    /// </summary>
    /// <returns>The destination's full path.</returns>
    /// <exception cref="FileNotFoundException">The run has no such file.</exception>
    public string Export(string runFile, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var source = RunFolderPath(runFile, "Lab.Export");
        if (!File.Exists(source))
            throw new FileNotFoundException($"Lab.Export: the run folder has no file {LogText.Quote(runFile)} to export; write it first (e.g. Lab.SaveText).", source);
        var target = Path(destination);
        var bytes = File.ReadAllBytes(source);
        AtomicFile.WriteAllBytes(target, bytes);
        var relative = System.IO.Path.GetRelativePath(Out, source);
        Record(() => _record.Exports.Add(new ExportRecord(relative, target, ContentHash.OfBytes(bytes))), save: true);
        return target;
    }

    /// <summary>The context every plugin of this run gets: the run seed, thread count and the run log.</summary>
    public PluginContext CreateContext() => CreateContext(Seed, Threads);

    private PluginContext CreateContext(int seed, int threads) => new(new RandomSource(seed))
    {
        Threads = threads,
        Log = message => Log(message),
    };

    private object CreatePlugin(PluginKind kind, string name, object? options) => CreatePluginInstance(kind, name, options, Seed, Threads).Plugin;

    private object CreatePlugin(PluginKind kind, string name, object? options, out PluginUse use) =>
        CreatePluginInstance(kind, name, options, Seed, Threads, out use).Plugin;

    /// <summary>
    /// Creates a plugin whose random source has <paramref name="seed"/> and lists its configuration in the run record,
    /// once per distinct configuration (a repeated one only counts up <see cref="PluginUse.Created"/>).
    /// </summary>
    internal PluginInstance CreatePluginInstance(PluginKind kind, string name, object? options, int seed, int threads) =>
        CreatePluginInstance(kind, name, options, seed, threads, out _);

    private PluginInstance CreatePluginInstance(PluginKind kind, string name, object? options, int seed, int threads, out PluginUse use)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        // Binding runs the options record's code and creating runs the plugin's constructor: both are plugin code.
        var instance = PluginCall(PluginCallName(kind, name, "create"), default,
            _ => _plugins().Create(kind, name, options, CreateContext(seed, threads)));
        var (descriptor, bound, _) = instance;
        var optionsHash = ContentHash.OfText(PluginOptionsJson.Of(bound));
        Resume?.CheckPlugin(kind, descriptor);
        PluginUse? recorded = null;
        Record(() =>
        {
            var kindName = kind.ToString().ToLowerInvariant();
            var same = _record.Plugins.FirstOrDefault(p => p.Kind == kindName && p.Name == descriptor.Name && p.Version == descriptor.Version
                && p.AssemblySha256 == descriptor.AssemblySha256 && p.OptionsSha256 == optionsHash);
            if (same is not null) same.Created++;
            else _record.Plugins.Add(same = new PluginUse(kindName, descriptor.Name, descriptor.Version, descriptor.AssemblyPath,
                descriptor.AssemblySha256, descriptor.Origin.ToString().ToLowerInvariant(), bound, optionsHash));
            recorded = same;
        });
        use = recorded!;
        return instance;
    }

    /// <summary>
    /// Runs plugin code as the call <paramref name="description"/>: refused once the run is cancelled, given the run's
    /// token linked with the caller's, and scoped so that the kernels it calls use this run's threads (or fewer, when
    /// the calling flow was given fewer, as a trial running beside others is) and stop when the token is cancelled.
    /// </summary>
    private T PluginCall<T>(string description, CancellationToken callers, Func<CancellationToken, T> call)
    {
        Cancellation.ThrowIfCancellationRequested();
        callers.ThrowIfCancellationRequested();
        using var linked = callers.CanBeCanceled && Cancellation.CanBeCanceled && callers != Cancellation
            ? CancellationTokenSource.CreateLinkedTokenSource(callers, Cancellation)
            : null;
        var token = linked?.Token ?? (callers.CanBeCanceled ? callers : Cancellation);
        return _calls.Run(description, () =>
        {
            using (KernelParallelism.Override(Math.Min(Threads, KernelParallelism.Current), token)) return call(token);
        });
    }

    /// <summary>"clusterer hdbscan: Fit": how run records and errors name a plugin call.</summary>
    internal static string PluginCallName(PluginKind kind, string name, string call) =>
        $"{kind.ToString().ToLowerInvariant()} {name}: {call}";

    /// <summary>
    /// <paramref name="path"/> resolved against <see cref="Out"/>, refused (naming <paramref name="method"/>) when it
    /// leads outside the run folder: a run's outputs are its folder, and an outside write must be asked for explicitly.
    /// </summary>
    private string RunFolderPath(string path, string method)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path, Out);
        var relative = System.IO.Path.GetRelativePath(Out, full);
        if (relative == "." || relative == ".." || relative.StartsWith(".." + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || System.IO.Path.IsPathRooted(relative))
            throw new ArgumentException(
                $"{method}: {LogText.Quote(path)} resolves to {full}, outside the run folder {Out}. Write it inside the run " +
                $"folder (e.g. {LogText.Quote(System.IO.Path.GetFileName(full))}) and copy it out with Lab.Export(file, destination).",
                nameof(path));
        return full;
    }

    private void AddOutput(string full)
    {
        var relative = System.IO.Path.GetRelativePath(Out, full);
        if (!_record.Outputs.Contains(relative)) _record.Outputs.Add(relative);
    }

    private void Record(Action change, bool save = false)
    {
        lock (_record.Gate)
        {
            change();
            if (save) _saveRecord();
        }
    }

    /// <summary>An embedder whose calls are tracked as "embedder name: Embed".</summary>
    private sealed class TrackedEmbedder(IEmbedder inner, Lab lab, string name) : IEmbedder
    {
        private readonly string _embed = PluginCallName(PluginKind.Embedder, name, nameof(Embed));

        public string Identity => inner.Identity;

        public int Dimension => inner.Dimension;

        public bool DependsOnBatch => inner.DependsOnBatch;

        public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
            CancellationToken cancellationToken = default) =>
            lab.PluginCall(_embed, cancellationToken, token => inner.Embed(texts, progress, token));
    }

    /// <summary>A clusterer whose calls are tracked as "clusterer name: Fit".</summary>
    private sealed class TrackedClusterer(IClusterer inner, Lab lab, string name) : IClusterer
    {
        private readonly string _fit = PluginCallName(PluginKind.Clusterer, name, nameof(Fit));

        public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
            lab.PluginCall(_fit, cancellationToken, token => inner.Fit(data, token));
    }

    /// <summary>A metric whose calls are tracked as "metric name: Evaluate".</summary>
    private sealed class TrackedMetric(IMetric inner, Lab lab, string name) : IMetric
    {
        private readonly string _evaluate = PluginCallName(PluginKind.Metric, name, nameof(Evaluate));

        // The caller's token (input.CancellationToken) is linked with the run's; the linked token reaches the metric's
        // own loops through the input and its kernels through the scope.
        public MetricResult Evaluate(EvaluationInput input) =>
            lab.PluginCall(_evaluate, input.CancellationToken, token => inner.Evaluate(input.WithCancellation(token)));
    }

    /// <summary>
    /// A reducer whose calls are tracked as "reducer name: Fit" (and "...: Transform" on its models) and run, like every
    /// other plugin call, with the run's cancellation linked in and the kernels scoped to the run's threads.
    /// </summary>
    private sealed class TrackedReducer(IReducer inner, Lab lab, string name) : IReducer
    {
        private readonly string _fit = PluginCallName(PluginKind.Reducer, name, nameof(Fit));

        public string Identity => inner.Identity;

        public int OutputDimension => inner.OutputDimension;

        public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
            new TrackedModel(lab.PluginCall(_fit, cancellationToken, token => inner.Fit(data, token)), lab, name);

        private sealed class TrackedModel(IReducerModel inner, Lab lab, string name) : IReducerModel
        {
            private readonly string _transform = PluginCallName(PluginKind.Reducer, name, nameof(Transform));

            public int InputDimension => inner.InputDimension;

            public int OutputDimension => inner.OutputDimension;

            public EmbeddingMatrix Embedding => inner.Embedding;

            public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
                lab.PluginCall(_transform, cancellationToken, token => inner.Transform(data, token));
        }
    }

    /// <summary>Logs where each fitted reduction came from: the cache or a fit.</summary>
    private sealed class LoggingReducer(CachingReducer inner, Lab lab, string name) : IReducer
    {
        public string Identity => inner.Identity;

        public int OutputDimension => inner.OutputDimension;

        public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = inner.Fit(data, cancellationToken);
            lab.Log(inner.LastFitCached
                ? $"reducer {name}: {data.Rows} x {data.Columns} -> {model.OutputDimension} columns from the cache"
                : $"reducer {name}: {data.Rows} x {data.Columns} -> {model.OutputDimension} columns fitted in {clock.Elapsed.TotalSeconds:F1} s");
            return model;
        }
    }

    /// <summary>Shows an embedding job's progress and, for cached embedders, how many texts came from the cache.</summary>
    private sealed class ProgressEmbedder(IEmbedder inner, Lab lab, string name) : IEmbedder
    {
        public string Identity => inner.Identity;

        public int Dimension => inner.Dimension;

        public bool DependsOnBatch => inner.DependsOnBatch;

        public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
            CancellationToken cancellationToken = default)
        {
            int hits = (inner as CachingEmbedder)?.CacheHits ?? 0, embedded = (inner as CachingEmbedder)?.Embedded ?? 0;
            EmbeddingMatrix result;
            using (var task = lab.Progress.Start($"embed ({name})", texts.Count))
                result = inner.Embed(texts, progress ?? task, cancellationToken);
            if (inner is CachingEmbedder caching)
                lab.Log($"{name}: {texts.Count} texts, {caching.CacheHits - hits} from the cache, {caching.Embedded - embedded} embedded.");
            return result;
        }
    }
}
