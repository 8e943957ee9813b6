using KpLab.Abstractions;
using KpLab.Hosting;

namespace KpLab.Scripting;

/// <summary>
/// Where scripts get their plugins: the host's <see cref="PluginCatalog"/> in production (through
/// <see cref="CatalogPluginSource"/>), a fixed set of in-memory plugins in tests.
/// </summary>
public interface IPluginSource
{
    /// <summary>Every plugin available, ordered by kind then name.</summary>
    IReadOnlyList<PluginDescriptor> Plugins { get; }

    /// <summary>Assemblies or types that failed to load.</summary>
    IReadOnlyList<PluginLoadError> Errors { get; }

    /// <summary>The plugin of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    /// <exception cref="UnknownPluginException">No such plugin.</exception>
    PluginDescriptor Find(PluginKind kind, string name);

    /// <summary>
    /// Creates the plugin, binding and validating <paramref name="options"/> (anonymous object, dictionary, YAML or
    /// typed record) once; returns it with the bound options for the run record.
    /// </summary>
    /// <exception cref="UnknownPluginException">No such plugin.</exception>
    /// <exception cref="PluginOptionException">A bad option.</exception>
    PluginInstance Create(PluginKind kind, string name, object? options, PluginContext context);
}

/// <summary>An <see cref="IPluginSource"/> over a loaded <see cref="PluginCatalog"/>; disposing it disposes the catalog.</summary>
/// <param name="catalog">The catalog.</param>
public sealed class CatalogPluginSource(PluginCatalog catalog) : IPluginSource, IDisposable
{
    /// <summary>Loads the catalog from the default search path plus <paramref name="extraFolders"/> (<c>--plugins</c>).</summary>
    public static CatalogPluginSource LoadDefault(IEnumerable<string>? extraFolders = null) =>
        new(PluginCatalog.Load(PluginCatalog.DefaultSearchPath(extraFolders)));

    /// <inheritdoc />
    public IReadOnlyList<PluginDescriptor> Plugins => catalog.Plugins;

    /// <inheritdoc />
    public IReadOnlyList<PluginLoadError> Errors => catalog.Errors;

    /// <inheritdoc />
    public PluginDescriptor Find(PluginKind kind, string name) => catalog.Find(kind, name);

    /// <inheritdoc />
    public PluginInstance Create(PluginKind kind, string name, object? options, PluginContext context) =>
        catalog.Instantiate(kind, name, options, context);

    /// <inheritdoc />
    public void Dispose() => catalog.Dispose();
}
