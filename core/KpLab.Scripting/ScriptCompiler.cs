using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Text;

namespace KpLab.Scripting;

/// <summary>A script file and the files it pulls in with <c>#load</c>, with their hashes.</summary>
/// <param name="Path">The script's full path.</param>
/// <param name="Files">The script and every file in its <c>#load</c> closure, in discovery order, with SHA-256s.</param>
public sealed record ScriptSource(string Path, IReadOnlyList<SourceFileHash> Files)
{
    /// <summary>SHA-256 (hex) of the script file itself.</summary>
    public string Sha256 => Files[0].Sha256;

    /// <summary>Reads <paramref name="path"/> and follows its <c>#load</c> directives (relative to each file).</summary>
    /// <exception cref="FileNotFoundException">The script does not exist.</exception>
    public static ScriptSource Read(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"Script not found: {path}", full);
        var files = new List<SourceFileHash>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([full]);
        while (pending.Count > 0)
        {
            var file = pending.Dequeue();
            if (!seen.Add(file) || !File.Exists(file)) continue; // a missing #load is reported by the compiler
            var bytes = File.ReadAllBytes(file);
            files.Add(new SourceFileHash(file, ContentHash.OfBytes(bytes)));
            foreach (var load in LoadDirectives(Encoding.UTF8.GetString(bytes), file))
                pending.Enqueue(System.IO.Path.GetFullPath(load, System.IO.Path.GetDirectoryName(file)!));
        }
        return new ScriptSource(full, files);
    }

    /// <summary>The paths named by the <c>#load</c> directives of a script's text.</summary>
    public static IEnumerable<string> LoadDirectives(string text, string path)
    {
        var tree = CSharpSyntaxTree.ParseText(text, ScriptCompiler.ParseOptions, path);
        return ((CompilationUnitSyntax)tree.GetRoot()).GetLoadDirectives()
            .Select(d => d.File.ValueText).Where(f => f.Length > 0);
    }
}

/// <summary>A file of a script's <c>#load</c> closure.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Sha256">SHA-256 (hex) of its bytes.</param>
public sealed record SourceFileHash(string Path, string Sha256);

/// <summary>A compile error or warning, located in a script file.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Severity">"error" or "warning".</param>
/// <param name="Id">The compiler's id, e.g. CS1002.</param>
/// <param name="Message">The message.</param>
public sealed record ScriptDiagnostic(string File, int Line, int Column, string Severity, string Id, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}: {Severity} {Id}: {Message}";
}

/// <summary>A compiled script, loaded and ready to run.</summary>
public sealed class CompiledScript
{
    private readonly Func<object[], Task<object>> _factory;
    private readonly ScriptSymbols _symbols;

    internal CompiledScript(Assembly assembly, byte[] symbols, Func<object[], Task<object>> factory, string cacheKey, bool fromCache, TimeSpan elapsed)
    {
        Assembly = assembly;
        _symbols = new ScriptSymbols(symbols);
        _factory = factory;
        CacheKey = cacheKey;
        FromCache = fromCache;
        Elapsed = elapsed;
    }

    /// <summary>The script's assembly (frames of this assembly are the script's own lines).</summary>
    public Assembly Assembly { get; }

    /// <summary>The key the compiled assembly is cached under.</summary>
    public string CacheKey { get; }

    /// <summary>Whether the assembly came from the cache rather than the compiler.</summary>
    public bool FromCache { get; }

    /// <summary>Time spent compiling or loading.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>"file:line" of the script line an exception came from (innermost frame in the script), or null.</summary>
    public string? Locate(Exception exception) => _symbols.Locate(exception, Assembly);

    /// <summary>Runs the script body with <paramref name="globals"/>.</summary>
    public Task<object> RunAsync(ScriptGlobals globals) =>
        // The submission factory Roslyn emits takes the submission array: slot 0 the globals, slot 1 for this submission.
        _factory([globals, null!]);
}

/// <summary>The outcome of compiling: a script, or the errors that prevented it.</summary>
/// <param name="Script">The compiled script, or null on errors.</param>
/// <param name="Diagnostics">Errors and warnings (empty when loaded from the cache).</param>
public sealed record CompileResult(CompiledScript? Script, IReadOnlyList<ScriptDiagnostic> Diagnostics)
{
    /// <summary>Whether compilation succeeded.</summary>
    public bool Success => Script is not null;
}

/// <summary>
/// Compiles <c>.csx</c> scripts with Roslyn and caches the compiled assemblies on disk, keyed by a SHA-256 of the
/// script's <c>#load</c> closure (paths and contents), the host's assemblies and the compile options, so an unchanged
/// script is loaded instead of compiled again. The portable PDB is cached and loaded beside it, so stack frames carry script lines.
/// Cached files are checked against their recorded SHA-256 before they are loaded (see <see cref="CompiledScriptCache"/>).
/// </summary>
public sealed class ScriptCompiler
{
    /// <summary>Namespaces every script imports.</summary>
    public static readonly IReadOnlyList<string> DefaultImports =
        ["System", "System.Linq", "System.Collections.Generic", "System.IO", "KpLab.Abstractions", "KpLab.Data", "KpLab.Kernels", "KpLab.Reporting", "KpLab.Sweeps", "KpLab.Clustering"];

    internal static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    private const string SubmissionType = "Submission#0";
    private const string FactoryMethod = "<Factory>";
    // 4: entries carry a SHA-256 manifest; older entries are never looked up again.
    private const int CacheFormat = 4;

    private static readonly Lazy<string> HostFingerprint = new(ComputeHostFingerprint);

    private readonly CompiledScriptCache? _cache;

    /// <summary>Creates a compiler caching into <paramref name="cacheDirectory"/> (null: no cache).</summary>
    /// <param name="cacheDirectory">The cache folder, or null.</param>
    /// <param name="warning">Told about cache entries that are damaged or were modified (they are compiled again).</param>
    public ScriptCompiler(string? cacheDirectory, Action<string>? warning = null)
    {
        CacheDirectory = cacheDirectory is null ? null : Path.GetFullPath(cacheDirectory);
        _cache = CacheDirectory is null ? null : new CompiledScriptCache(CacheDirectory, warning ?? (_ => { }));
    }

    /// <summary>The compiled-script cache folder, or null when caching is off.</summary>
    public string? CacheDirectory { get; }

    /// <summary>The default folder: <c>scripts</c> under <see cref="PluginContext.DefaultCacheDirectory"/>.</summary>
    public static string DefaultCacheDirectory() => Path.Combine(PluginContext.DefaultCacheDirectory(), "scripts");

    /// <summary>The cache key of <paramref name="source"/> under the current host.</summary>
    public static string CacheKey(ScriptSource source)
    {
        var text = new StringBuilder();
        text.Append("kplab-script/").Append(CacheFormat).Append('\n').Append(HostFingerprint.Value).Append('\n');
        text.Append(string.Join(";", DefaultImports)).Append('\n').Append(ParseOptions.LanguageVersion).Append('\n');
        foreach (var file in source.Files) text.Append(file.Path).Append('\0').Append(file.Sha256).Append('\n');
        return ContentHash.OfText(text.ToString());
    }

    /// <summary>Compiles <paramref name="source"/>, or loads it from the cache when it is unchanged.</summary>
    /// <param name="source">The script.</param>
    /// <param name="packages">The NuGet packages its <c>#r "nuget: ..."</c> directives restored (null: none).</param>
    public CompileResult Compile(ScriptSource source, ScriptPackages? packages = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        packages ??= ScriptPackages.None;
        var watch = Stopwatch.StartNew();
        var key = CacheKey(source);
        if (_cache?.TryRead(key) is (byte[] image, byte[] symbols))
        {
            try
            {
                return new CompileResult(Load(image, symbols, key, fromCache: true, watch, packages), []);
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException or MissingMethodException or TypeLoadException)
            {
                // An entry that matches its hashes but does not load (written by a broken build): compile again.
                _cache.Discard(key, e.Message);
            }
        }

        var script = CSharpScript.Create(File.ReadAllText(source.Path), Options(source.Path, packages), typeof(ScriptGlobals));
        var compilation = script.GetCompilation();
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var emitted = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        var diagnostics = emitted.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .OrderByDescending(d => d.Severity).ThenBy(d => d.Location.SourceSpan.Start)
            .Select(ToDiagnostic).ToArray();
        if (!emitted.Success) return new CompileResult(null, diagnostics);

        var (peBytes, pdbBytes) = (pe.ToArray(), pdb.ToArray());
        _cache?.Write(key, peBytes, pdbBytes);
        return new CompileResult(Load(peBytes, pdbBytes, key, fromCache: false, watch, packages), diagnostics);
    }

    private static ScriptOptions Options(string path, ScriptPackages packages) =>
        ScriptOptions.Default
            .WithMetadataResolver(new NuGetMetadataResolver(packages, ScriptOptions.Default.MetadataResolver))
            .WithFilePath(path)
            .WithFileEncoding(Encoding.UTF8)
            .WithEmitDebugInformation(true)
            // Debug code generation: the JIT then keeps exact IL offsets, so an exception names the script line. Heavy
            // numeric work lives in plugins and kernels, which are optimised either way.
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithReferences(References.Value)
            .WithImports(DefaultImports)
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, Path.GetDirectoryName(path)));

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        // The framework the host runs on (its trusted platform assemblies from the runtime folder) and KpLab's contracts.
        var runtime = Path.GetFullPath(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        var framework = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(Path.GetFullPath(p)), runtime, StringComparison.Ordinal));
        var kplab = new[] { typeof(EmbeddingMatrix), typeof(NpyFile), typeof(VectorMath), typeof(KpLab.Reporting.HtmlReport), typeof(KpLab.Sweeps.Sweep), typeof(KpLab.Clustering.OutlierReassignment), typeof(ScriptGlobals) }.Select(t => t.Assembly.Location);
        return framework.Concat(kplab).Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    private static CompiledScript Load(byte[] image, byte[] symbols, string key, bool fromCache, Stopwatch watch, ScriptPackages packages)
    {
        // A context per run: the same cached script may run twice in one process (tests), and its assembly name repeats.
        // The symbols are loaded with it so that stack frames in the script carry file and line.
        var context = new AssemblyLoadContext($"kplab-script-{key[..12]}");
        packages.AttachTo(context);
        using var stream = new MemoryStream(image, writable: false);
        using var pdbStream = new MemoryStream(symbols, writable: false);
        var assembly = context.LoadFromStream(stream, pdbStream);
        var factory = assembly.GetType(SubmissionType, throwOnError: true)!
            .GetMethod(FactoryMethod, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingMethodException(SubmissionType, FactoryMethod);
        var run = factory.CreateDelegate<Func<object[], Task<object>>>();
        return new CompiledScript(assembly, symbols, run, key, fromCache, watch.Elapsed);
    }

    private static ScriptDiagnostic ToDiagnostic(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        return new ScriptDiagnostic(
            span.Path is { Length: > 0 } p ? p : "(script)",
            span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
            diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning",
            diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string ComputeHostFingerprint()
    {
        // The module version ids of the assemblies a script binds to change whenever they are rebuilt differently.
        var assemblies = new[] { typeof(object), typeof(EmbeddingMatrix), typeof(VectorMath), typeof(ScriptGlobals), typeof(KpLab.Sweeps.Sweep), typeof(CSharpScript) }
            .Select(t => t.Assembly);
        return string.Join(";", assemblies.Select(a => $"{a.GetName().Name}/{a.GetName().Version}/{a.ManifestModule.ModuleVersionId}"));
    }
}
