using System.Reflection;
using System.Runtime.Loader;

namespace KpLab.Hosting;

/// <summary>
/// Resolves a plugin's references for inspection in a <see cref="MetadataLoadContext"/> the way its loader resolves
/// them at run time: the contracts and the kernel to the host's files, the plugin's own dependencies through its
/// .deps.json (or its folder), and the rest (the framework) from the host's trusted platform assemblies. Reading
/// metadata this way runs none of the plugin's code.
/// </summary>
internal sealed class PluginMetadataResolver : MetadataAssemblyResolver
{
    private static readonly Lazy<Dictionary<string, string>> Platform = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase));

    private readonly string folder;
    private readonly AssemblyDependencyResolver dependencies;

    private PluginMetadataResolver(string pluginPath)
    {
        folder = Path.GetDirectoryName(pluginPath)!;
        dependencies = new AssemblyDependencyResolver(pluginPath);
    }

    /// <summary>A metadata-only context for the plugin assembly at <paramref name="pluginPath"/>; dispose it to release its files.</summary>
    public static MetadataLoadContext Open(string pluginPath) =>
        new(new PluginMetadataResolver(pluginPath), typeof(object).Assembly.GetName().Name);

    /// <inheritdoc />
    public override Assembly? Resolve(MetadataLoadContext context, AssemblyName assemblyName)
    {
        var path = Locate(assemblyName);
        return path is null ? null : context.LoadFromAssemblyPath(path);
    }

    private string? Locate(AssemblyName name)
    {
        if (PluginLoaders.SharedAssembly(name.Name) is { Location.Length: > 0 } shared) return shared.Location;
        if (dependencies.ResolveAssemblyToPath(name) is { } listed && File.Exists(listed)) return listed;
        var local = Path.Combine(folder, name.Name + ".dll");
        if (File.Exists(local)) return local;
        return name.Name is not null && Platform.Value.TryGetValue(name.Name, out var platform) ? platform : null;
    }
}
