using System.Reflection;
using KpLab.Abstractions;
using McMaster.NETCore.Plugins;

namespace KpLab.Hosting;

/// <summary>Where a plugin was found.</summary>
public enum PluginOrigin
{
    /// <summary>Built with KpLab, from the bundled plugins folder.</summary>
    Bundled,

    /// <summary>From a folder given by <c>--plugins</c> or <c>KPLAB_PLUGIN_PATH</c>.</summary>
    External,
}

/// <summary>A plugin the host found and can create.</summary>
/// <param name="Kind">Embedder, clusterer, metric or reducer.</param>
/// <param name="Name">The script name, e.g. "kmeans".</param>
/// <param name="Version">The plugin assembly's informational version.</param>
/// <param name="Description">What it does.</param>
/// <param name="AssemblyPath">The assembly file it came from.</param>
/// <param name="AssemblySha256">SHA-256 (hex) of that file, for run records.</param>
/// <param name="Origin">Bundled or external.</param>
/// <param name="OptionsTypeName">The full name of its options record type (<see cref="NoOptions"/> when it takes none).</param>
/// <param name="Options">Its options with types, defaults and descriptions.</param>
/// <remarks>
/// Everything here is read from the plugin assembly's metadata: describing a plugin runs none of its code (see
/// <see cref="OptionsBinder.Describe"/> for how defaults are read).
/// </remarks>
public sealed record PluginDescriptor(
    PluginKind Kind, string Name, string Version, string Description, string AssemblyPath, string AssemblySha256,
    PluginOrigin Origin, string OptionsTypeName, IReadOnlyList<OptionDescriptor> Options)
{
    /// <summary>
    /// A metric's output columns: the properties of the row record it declares through <see cref="IMetric{TRow}"/>
    /// (keys first as declared, with their C# types); empty for other kinds and for metrics that declare no row type.
    /// </summary>
    public IReadOnlyList<MetricColumn> OutputColumns { get; init; } = [];
}

/// <summary>A plugin created by <see cref="PluginCatalog.Instantiate"/>, with the options it was bound and validated with.</summary>
/// <param name="Descriptor">The plugin.</param>
/// <param name="Options">The bound, validated options it was created with.</param>
/// <param name="Plugin">The instance (an <see cref="IEmbedder"/>, <see cref="IClusterer"/>, <see cref="IMetric"/> or <see cref="IReducer"/>).</param>
public sealed record PluginInstance(PluginDescriptor Descriptor, PluginOptions Options, object Plugin);

/// <summary>A plugin assembly or type that could not be loaded, and why.</summary>
/// <param name="Path">The assembly file.</param>
/// <param name="Message">What went wrong, e.g. both contract versions for an incompatible plugin.</param>
public sealed record PluginLoadError(string Path, string Message);

/// <summary>The folders searched for plugins.</summary>
/// <param name="Bundled">The built plugins folder (<c>artifacts/plugins</c>), each plugin in its own subfolder.</param>
/// <param name="External">Extra folders from <c>--plugins</c> and <c>KPLAB_PLUGIN_PATH</c>.</param>
public sealed record PluginSearchPath(string? Bundled, IReadOnlyList<string> External);

/// <summary>
/// Thrown when a script asks for a plugin that is not available; lists the available names of that kind and, when an
/// assembly declaring that name was refused at load (contracts version, a missing dependency, a broken plugin rule),
/// names the file and the reason.
/// </summary>
public sealed class UnknownPluginException(PluginKind kind, string name, IReadOnlyList<string> available, IReadOnlyList<PluginLoadError>? refused = null)
    : KeyNotFoundException(Describe(kind, name, available, refused ?? []))
{
    /// <summary>Why each assembly that declares this name was refused; empty when none does.</summary>
    public IReadOnlyList<PluginLoadError> Refused { get; } = refused ?? [];

    /// <summary>The kind asked for.</summary>
    public PluginKind Kind { get; } = kind;

    /// <summary>The name asked for.</summary>
    public string Name { get; } = name;

    /// <summary>The names of that kind that exist.</summary>
    public IReadOnlyList<string> Available { get; } = available;

    private static string Describe(PluginKind kind, string name, IReadOnlyList<string> available, IReadOnlyList<PluginLoadError> refused)
    {
        var kindName = kind.ToString().ToLowerInvariant();
        var list = $"Available: {(available.Count == 0 ? "(none)" : string.Join(", ", available))}.";
        if (refused.Count == 0) return $"No {kindName} plugin named '{name}'. {list}";
        var reasons = string.Join(" ", refused.Select(r => $"{r.Path}: {r.Message}"));
        return $"The {kindName} plugin '{name}' is not available: its assembly was not loaded. {reasons} {list}";
    }
}

/// <summary>
/// The plugins a host has found. Finding, listing and describing plugins reads metadata only
/// (<see cref="MetadataLoadContext"/>): no plugin code runs, so a plugin whose module initializer, static constructor
/// or constructor throws or exits cannot break <c>kplab plugins</c> or a run that does not use it. A plugin assembly is
/// loaded when a script first creates one of its plugins, through McMaster.NETCore.Plugins, into its own collectible
/// load context where KpLab.Abstractions and KpLab.Kernels resolve to the host's copies. Disposing the catalog unloads
/// every context.
/// </summary>
/// <remarks>
/// Loading never throws for a bad plugin: a file that is not an assembly, a plugin built against an incompatible
/// contracts version, a missing dependency or a type that breaks the <see cref="PluginRules"/> is recorded in
/// <see cref="Errors"/> and the rest load; asking for such a plugin by name gives that reason. When two assemblies
/// define the same kind and name, neither is used (the error names both files) so that which code runs never depends
/// on folder order.
/// </remarks>
public sealed class PluginCatalog : IDisposable
{
    /// <summary>Environment variable with extra plugin folders, separated by <see cref="Path.PathSeparator"/>.</summary>
    public const string PluginPathVariable = "KPLAB_PLUGIN_PATH";

    /// <summary>Environment variable that replaces the bundled plugins folder.</summary>
    public const string BundledPluginsVariable = "KPLAB_BUNDLED_PLUGINS";

    private readonly List<PluginLoadError> errors = [];
    private readonly Dictionary<string, PluginLoader> loaders = new(StringComparer.Ordinal);
    private readonly Dictionary<(PluginKind, string), PluginEntry> entries = new(KeyComparer.Instance);
    private readonly Dictionary<(PluginKind, string), IReadOnlyList<string>> conflicts = new(KeyComparer.Instance);
    private readonly Dictionary<string, List<PluginLoadError>> refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock gate = new();
    private PluginDescriptor[] plugins = [];
    private bool disposed;

    private PluginCatalog(PluginSearchPath searchPath) => SearchPath = searchPath;

    /// <summary>
    /// Discovers the plugins under <paramref name="path"/> and describes them from metadata; no plugin assembly is
    /// loaded for execution yet. Failures are collected in <see cref="Errors"/>, not thrown.
    /// </summary>
    public static PluginCatalog Load(PluginSearchPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var catalog = new PluginCatalog(path);
        var found = new List<PluginEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var folders = (path.Bundled is null ? [] : new[] { (path.Bundled, PluginOrigin.Bundled) })
            .Concat(path.External.Select(folder => (folder, PluginOrigin.External)));
        foreach (var (folder, origin) in folders)
        {
            IReadOnlyList<string> assemblies;
            try
            {
                assemblies = PluginFolderScanner.FindAssemblies(FullFolderPath(folder), catalog.errors);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                catalog.errors.Add(new PluginLoadError(folder, $"The plugins folder cannot be read: {e.Message}"));
                continue;
            }
            foreach (var assembly in assemblies)
                if (seen.Add(assembly)) catalog.LoadAssembly(assembly, origin, found);
        }
        catalog.Register(found);
        return catalog;
    }

    /// <summary>Loads the plugins on the <see cref="DefaultSearchPath(IEnumerable{string}?)"/> plus <paramref name="extraFolders"/> (e.g. from <c>--plugins</c>).</summary>
    public static PluginCatalog LoadDefault(IEnumerable<string>? extraFolders = null) => Load(DefaultSearchPath(extraFolders));

    /// <summary>The default search path: the bundled folder next to the host (or in the repository's artifacts), plus <c>KPLAB_PLUGIN_PATH</c> and <paramref name="extraFolders"/>.</summary>
    /// <remarks>
    /// The bundled folder is <c>$KPLAB_BUNDLED_PLUGINS</c> when set, else <c>plugins/</c> beside the host when it
    /// exists, else <c>artifacts/plugins</c> of the repository (the nearest folder above the host holding KpLab.sln),
    /// else none. External folders are <paramref name="extraFolders"/> (e.g. from <c>--plugins</c>) followed by the
    /// entries of <c>KPLAB_PLUGIN_PATH</c>, as full paths without duplicates.
    /// </remarks>
    public static PluginSearchPath DefaultSearchPath(IEnumerable<string>? extraFolders = null) =>
        DefaultSearchPath(extraFolders, Environment.GetEnvironmentVariable, AppContext.BaseDirectory);

    /// <summary><see cref="DefaultSearchPath(IEnumerable{string}?)"/> with the environment and host folder given.</summary>
    internal static PluginSearchPath DefaultSearchPath(IEnumerable<string>? extraFolders, Func<string, string?> environment,
        string hostDirectory)
    {
        var bundled = BundledFolder(environment, hostDirectory);
        var fromVariable = (environment(PluginPathVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var external = (extraFolders ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Concat(fromVariable)
            .Select(FullFolderPath)
            .Where(f => f != bundled)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new PluginSearchPath(bundled, external);
    }

    /// <summary>The search path this catalog was loaded from.</summary>
    public PluginSearchPath SearchPath { get; }

    /// <summary>Every plugin found, ordered by kind then name.</summary>
    /// <remarks>Plugins whose name conflicts are left out (see <see cref="Errors"/>); empty after <see cref="Dispose"/>.</remarks>
    public IReadOnlyList<PluginDescriptor> Plugins => plugins;

    /// <summary>Assemblies or types that failed to load, conflicts and version mismatches.</summary>
    public IReadOnlyList<PluginLoadError> Errors => errors;

    /// <summary>The plugin of <paramref name="kind"/> named <paramref name="name"/> (names match case-insensitively).</summary>
    /// <exception cref="UnknownPluginException">No such plugin; the message lists the available names.</exception>
    /// <exception cref="PluginConflictException">Several assemblies define that name; the message names them.</exception>
    public PluginDescriptor Find(PluginKind kind, string name) => Entry(kind, name).Descriptor;

    /// <summary>Creates the plugin with options bound from <paramref name="options"/> (anonymous object, dictionary, YAML or typed record).</summary>
    /// <exception cref="UnknownPluginException">No such plugin, or its assembly was refused (the reason is named).</exception>
    /// <exception cref="PluginConflictException">Several assemblies define that name.</exception>
    /// <exception cref="PluginOptionException">A bad option (plugin, option and expected type named).</exception>
    /// <exception cref="PluginCreationException">Loading the plugin or its constructor threw (plugin and file named; the cause is the inner exception).</exception>
    public object Create(PluginKind kind, string name, object? options, PluginContext context) =>
        Instantiate(kind, name, options, context).Plugin;

    /// <summary>
    /// Creates the plugin as <see cref="Create"/> does and returns it with the options it was created with. This is
    /// where a plugin's code first runs: its assembly is loaded, its options are bound and validated (once, by
    /// <see cref="OptionsBinder.Bind(Type, object?, string)"/>) and its constructor is called.
    /// </summary>
    /// <exception cref="UnknownPluginException">No such plugin, or its assembly was refused (the reason is named).</exception>
    /// <exception cref="PluginConflictException">Several assemblies define that name.</exception>
    /// <exception cref="PluginOptionException">A bad option (plugin, option and expected type named).</exception>
    /// <exception cref="PluginCreationException">Loading the plugin or its constructor threw (plugin and file named; the cause is the inner exception).</exception>
    public PluginInstance Instantiate(PluginKind kind, string name, object? options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var entry = Entry(kind, name);
        var descriptor = entry.Descriptor;
        PluginShape shape;
        PluginOptions bound;
        try
        {
            var type = Loader(descriptor.AssemblyPath).LoadDefaultAssembly().GetType(entry.TypeName, throwOnError: true)!;
            shape = PluginRules.Shape(type, out var problem) ?? throw new InvalidOperationException(problem);
            bound = OptionsBinder.Bind(shape.OptionsType ?? typeof(NoOptions), options, descriptor.Name);
        }
        catch (Exception e) when (e is not PluginOptionException and not ObjectDisposedException)
        {
            throw new PluginCreationException(descriptor, e);
        }
        try
        {
            var plugin = shape.Constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null,
                PluginRules.ConstructorArguments(shape, bound, context), culture: null);
            return new PluginInstance(descriptor, bound, plugin);
        }
        catch (Exception e)
        {
            throw new PluginCreationException(descriptor, e);
        }
    }

    /// <summary>Creates an embedder.</summary>
    public IEmbedder CreateEmbedder(string name, object? options, PluginContext context) =>
        (IEmbedder)Create(PluginKind.Embedder, name, options, context);

    /// <summary>Creates a clusterer.</summary>
    public IClusterer CreateClusterer(string name, object? options, PluginContext context) =>
        (IClusterer)Create(PluginKind.Clusterer, name, options, context);

    /// <summary>Creates a metric.</summary>
    public IMetric CreateMetric(string name, object? options, PluginContext context) =>
        (IMetric)Create(PluginKind.Metric, name, options, context);

    /// <summary>Creates a reducer.</summary>
    public IReducer CreateReducer(string name, object? options, PluginContext context) =>
        (IReducer)Create(PluginKind.Reducer, name, options, context);

    /// <summary>Unloads every plugin load context.</summary>
    /// <remarks>
    /// A context is collected once nothing references its types any more, so drop created plugin instances too.
    /// Afterwards <see cref="Plugins"/> is empty and creating a plugin throws <see cref="ObjectDisposedException"/>.
    /// </remarks>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            plugins = [];
            entries.Clear();
            foreach (var loader in loaders.Values) loader.Dispose();
            loaders.Clear();
        }
    }

    /// <summary>The loader of one plugin assembly, created when a script first creates one of its plugins.</summary>
    private PluginLoader Loader(string assemblyPath)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!loaders.TryGetValue(assemblyPath, out var loader))
                loaders.Add(assemblyPath, loader = PluginLoaders.Create(assemblyPath));
            return loader;
        }
    }

    private PluginEntry Entry(PluginKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (entries.TryGetValue((kind, name), out var entry)) return entry;
        if (conflicts.TryGetValue((kind, name), out var paths)) throw new PluginConflictException(kind, name.ToLowerInvariant(), paths);
        throw new UnknownPluginException(kind, name,
            plugins.Where(p => p.Kind == kind).Select(p => p.Name).ToArray(), refused.GetValueOrDefault(name));
    }

    /// <summary>Reads the plugins of one assembly from its metadata; records why it or any of its plugins is refused.</summary>
    private void LoadAssembly(string path, PluginOrigin origin, List<PluginEntry> found)
    {
        var loaded = 0;
        var declared = new List<(Type Type, PluginDeclaration Declaration)>();
        try
        {
            var manifest = PluginAssemblyManifest.Read(path);
            using var metadata = PluginMetadataResolver.Open(path);
            var assembly = metadata.LoadFromAssemblyPath(path);
            declared.AddRange(Declarations(assembly, path));
            if (manifest.ContractsProblem(PluginLoaders.SharedAssemblyNames) is { } mismatch)
            {
                Refuse(path, $"Refused: {mismatch}", declared);
                return;
            }
            var missing = MissingDependencies(manifest, metadata);
            if (missing.Count > 0)
            {
                Refuse(path, $"Cannot load its dependencies: {string.Join("; ", missing)}. " +
                    "They are neither in the plugin's folder (per its .deps.json) nor in the host.", declared);
                return;
            }
            var sha256 = ContentHash.OfFile(path);
            var version = VersionOf(assembly);
            foreach (var (type, declaration) in declared)
            {
                var shape = PluginRules.DeclarationProblem(type, declaration) is { } broken ? null : PluginRules.Shape(type, out broken);
                IReadOnlyList<OptionDescriptor> options = [];
                IReadOnlyList<MetricColumn> outputs = [];
                if (shape is not null && declaration.Kind == PluginKind.Metric)
                {
                    try
                    {
                        if (PluginRules.MetricRowType(type) is { } rowType) outputs = MetricRowSchema.Columns(rowType);
                    }
                    catch (ArgumentException e)
                    {
                        broken = e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                    }
                    catch (Exception e) when (e is FileNotFoundException or TypeLoadException or BadImageFormatException)
                    {
                        broken = $"its metric row type cannot be described ({e.GetType().Name}: {e.Message}).";
                    }
                }
                if (shape?.OptionsType is { } optionsType)
                {
                    try
                    {
                        options = OptionsBinder.Describe(optionsType);
                    }
                    catch (Exception e) when (e is FileNotFoundException or TypeLoadException or BadImageFormatException or NotSupportedException)
                    {
                        broken = $"its options record {optionsType.FullName} cannot be described ({e.GetType().Name}: {e.Message}).";
                    }
                }
                if (broken is not null)
                {
                    Refuse(path, $"The {declaration.Kind.ToString().ToLowerInvariant()} plugin '{declaration.Name}' ({type.FullName}) " +
                        $"is skipped: {broken}", [(type, declaration)]);
                    continue;
                }
                found.Add(new PluginEntry(new PluginDescriptor(declaration.Kind, declaration.Name, version, declaration.Description,
                    path, sha256, origin, shape!.OptionsType?.FullName ?? typeof(NoOptions).FullName!, options) { OutputColumns = outputs },
                    type.FullName!));
                loaded++;
            }
            if (loaded == 0 && !errors.Any(e => e.Path == path))
                errors.Add(new PluginLoadError(path, "It contains no public class marked [KpLabPlugin]."));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Refuse(path, $"Cannot be loaded: {e.GetType().Name}: {e.Message}", declared);
        }
    }

    /// <summary>Records an error for <paramref name="path"/> and, under each declared name, the reason it is not available.</summary>
    private void Refuse(string path, string message, IEnumerable<(Type Type, PluginDeclaration Declaration)> declared)
    {
        var error = new PluginLoadError(path, message);
        errors.Add(error);
        foreach (var name in declared.Select(d => d.Declaration.Name).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!refused.TryGetValue(name, out var list)) refused.Add(name, list = []);
            list.Add(error);
        }
    }

    /// <summary>The types marked [KpLabPlugin], with what they declare (read from custom attribute data; nothing runs).</summary>
    private List<(Type, PluginDeclaration)> Declarations(Assembly assembly, string path)
    {
        var declared = new List<(Type, PluginDeclaration)>();
        foreach (var type in LoadableTypes(assembly, path))
        {
            try
            {
                if (PluginRules.Declaration(type) is { } declaration) declared.Add((type, declaration));
            }
            catch (Exception e) when (e is FileNotFoundException or TypeLoadException or BadImageFormatException)
            {
                errors.Add(new PluginLoadError(path, $"Type {type.FullName}: its attributes cannot be read ({e.Message})."));
            }
        }
        return declared;
    }

    /// <summary>Resolves every assembly the plugin references now, so a missing file is reported at load rather than mid-run.</summary>
    private static List<string> MissingDependencies(PluginAssemblyManifest manifest, MetadataLoadContext metadata)
    {
        var missing = new List<string>();
        foreach (var reference in manifest.References)
        {
            try
            {
                metadata.LoadFromAssemblyName(reference);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                missing.Add($"{reference.Name} {reference.Version} ({e.GetType().Name})");
            }
        }
        return missing;
    }

    private IEnumerable<Type> LoadableTypes(Assembly assembly, string path)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            var causes = e.LoaderExceptions.Where(x => x is not null).Select(x => x!.Message).Distinct().Take(3);
            errors.Add(new PluginLoadError(path, $"Some types cannot be loaded and are skipped: {string.Join(" ", causes)}"));
            return e.Types.Where(t => t is not null).Select(t => t!);
        }
    }

    /// <summary>The assembly's version for descriptors: its informational version without a "+build" suffix, else its assembly version.</summary>
    private static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttributesData()
            .FirstOrDefault(a => a.AttributeType.FullName == typeof(AssemblyInformationalVersionAttribute).FullName)
            ?.ConstructorArguments.FirstOrDefault().Value as string;
        if (!string.IsNullOrWhiteSpace(informational))
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus >= 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString() ?? "0.0.0.0";
    }

    /// <summary>Keeps the uniquely named plugins; a name defined twice is an error naming both files and neither is kept.</summary>
    private void Register(List<PluginEntry> found)
    {
        foreach (var group in found.GroupBy(e => (e.Descriptor.Kind, e.Descriptor.Name), KeyComparer.Instance))
        {
            var members = group.ToArray();
            if (members.Length == 1)
            {
                entries.Add(group.Key, members[0]);
                continue;
            }
            var paths = members.Select(m => m.Descriptor.AssemblyPath).ToArray();
            conflicts.Add(group.Key, paths);
            errors.Add(new PluginLoadError(paths[^1], new PluginConflictException(group.Key.Kind, group.Key.Name, paths).Message));
        }
        plugins = entries.Values.Select(e => e.Descriptor)
            .OrderBy(d => d.Kind).ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private static string? BundledFolder(Func<string, string?> environment, string hostDirectory)
    {
        var configured = environment(BundledPluginsVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return FullFolderPath(configured);
        var besideHost = Path.Combine(hostDirectory, "plugins");
        if (Directory.Exists(besideHost)) return FullFolderPath(besideHost);
        for (var folder = new DirectoryInfo(hostDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "KpLab.sln")))
                return FullFolderPath(Path.Combine(folder.FullName, "artifacts", "plugins"));
        return null;
    }

    private static string FullFolderPath(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    /// <summary>Plugin keys compare names case-insensitively (plugin names are lower case; scripts may not be).</summary>
    private sealed class KeyComparer : IEqualityComparer<(PluginKind Kind, string Name)>
    {
        public static KeyComparer Instance { get; } = new();

        public bool Equals((PluginKind Kind, string Name) x, (PluginKind Kind, string Name) y) =>
            x.Kind == y.Kind && StringComparer.OrdinalIgnoreCase.Equals(x.Name, y.Name);

        public int GetHashCode((PluginKind Kind, string Name) key) =>
            HashCode.Combine(key.Kind, StringComparer.OrdinalIgnoreCase.GetHashCode(key.Name));
    }
}
