using KpLab.Abstractions;

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
/// <param name="Kind">Embedder, clusterer or metric.</param>
/// <param name="Name">The script name, e.g. "kmeans".</param>
/// <param name="Version">The plugin assembly's informational version.</param>
/// <param name="Description">What it does.</param>
/// <param name="AssemblyPath">The assembly file it came from.</param>
/// <param name="AssemblySha256">SHA-256 (hex) of that file, for run records.</param>
/// <param name="Origin">Bundled or external.</param>
/// <param name="OptionsType">Its options record type.</param>
/// <param name="Options">Its options with types, defaults and descriptions.</param>
public sealed record PluginDescriptor(
    PluginKind Kind, string Name, string Version, string Description, string AssemblyPath, string AssemblySha256,
    PluginOrigin Origin, Type OptionsType, IReadOnlyList<OptionDescriptor> Options);

/// <summary>A plugin assembly or type that could not be loaded, and why.</summary>
/// <param name="Path">The assembly file.</param>
/// <param name="Message">What went wrong, e.g. both contract versions for an incompatible plugin.</param>
public sealed record PluginLoadError(string Path, string Message);

/// <summary>The folders searched for plugins.</summary>
/// <param name="Bundled">The built plugins folder (<c>artifacts/plugins</c>), each plugin in its own subfolder.</param>
/// <param name="External">Extra folders from <c>--plugins</c> and <c>KPLAB_PLUGIN_PATH</c>.</param>
public sealed record PluginSearchPath(string? Bundled, IReadOnlyList<string> External);

/// <summary>Thrown when a script asks for a plugin that does not exist; lists the available names of that kind.</summary>
public sealed class UnknownPluginException(PluginKind kind, string name, IReadOnlyList<string> available)
    : KeyNotFoundException($"No {kind.ToString().ToLowerInvariant()} plugin named '{name}'. Available: {(available.Count == 0 ? "(none)" : string.Join(", ", available))}.")
{
    /// <summary>The kind asked for.</summary>
    public PluginKind Kind { get; } = kind;

    /// <summary>The name asked for.</summary>
    public string Name { get; } = name;

    /// <summary>The names of that kind that exist.</summary>
    public IReadOnlyList<string> Available { get; } = available;
}

/// <summary>
/// The plugins a host has loaded. Each plugin assembly lives in its own collectible load context; KpLab.Abstractions
/// and KpLab.Kernels always resolve to the host's copies. Disposing the catalog unloads every context.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    /// <summary>Discovers and loads the plugins under <paramref name="path"/>. Failures are collected in <see cref="Errors"/>, not thrown.</summary>
    public static PluginCatalog Load(PluginSearchPath path) => throw new NotImplementedException();

    /// <summary>The default search path: the bundled folder next to the host (or in the repository's artifacts), plus <c>KPLAB_PLUGIN_PATH</c> and <paramref name="extraFolders"/>.</summary>
    public static PluginSearchPath DefaultSearchPath(IEnumerable<string>? extraFolders = null) => throw new NotImplementedException();

    /// <summary>Every plugin found, ordered by kind then name.</summary>
    public IReadOnlyList<PluginDescriptor> Plugins => throw new NotImplementedException();

    /// <summary>Assemblies or types that failed to load, conflicts and version mismatches.</summary>
    public IReadOnlyList<PluginLoadError> Errors => throw new NotImplementedException();

    /// <summary>The plugin of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    /// <exception cref="UnknownPluginException">No such plugin; the message lists the available names.</exception>
    public PluginDescriptor Find(PluginKind kind, string name) => throw new NotImplementedException();

    /// <summary>Creates the plugin with options bound from <paramref name="options"/> (anonymous object, dictionary, YAML or typed record).</summary>
    /// <exception cref="UnknownPluginException">No such plugin.</exception>
    /// <exception cref="PluginOptionException">A bad option (plugin, option and expected type named).</exception>
    public object Create(PluginKind kind, string name, object? options, PluginContext context) => throw new NotImplementedException();

    /// <summary>Creates an embedder.</summary>
    public IEmbedder CreateEmbedder(string name, object? options, PluginContext context) =>
        (IEmbedder)Create(PluginKind.Embedder, name, options, context);

    /// <summary>Creates a clusterer.</summary>
    public IClusterer CreateClusterer(string name, object? options, PluginContext context) =>
        (IClusterer)Create(PluginKind.Clusterer, name, options, context);

    /// <summary>Creates a metric.</summary>
    public IMetric CreateMetric(string name, object? options, PluginContext context) =>
        (IMetric)Create(PluginKind.Metric, name, options, context);

    /// <summary>Unloads every plugin load context.</summary>
    public void Dispose() { }
}
