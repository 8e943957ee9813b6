using System.Reflection;
using System.Runtime.Loader;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Hosting;

/// <summary>
/// The collectible load context of one plugin assembly. The contracts (KpLab.Abstractions) and the kernel
/// (KpLab.Kernels) always resolve to the host's own assemblies, so their types have one identity across plugins;
/// every other managed or native dependency resolves from the plugin's folder through its .deps.json, and whatever
/// that does not list (the framework) falls back to the default context.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver resolver;

    /// <summary>Creates the context for the plugin assembly at <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="InvalidOperationException">Its .deps.json cannot be read or names files that are missing.</exception>
    public PluginLoadContext(string assemblyPath)
        : base($"KpLab plugin {Path.GetFileNameWithoutExtension(assemblyPath)}", isCollectible: true) =>
        resolver = new AssemblyDependencyResolver(assemblyPath);

    /// <summary>The host assemblies every plugin shares, by simple name.</summary>
    public static IReadOnlyList<Assembly> SharedAssemblies { get; } = [typeof(PluginKind).Assembly, typeof(VectorMath).Assembly];

    /// <summary>The host's copy of <paramref name="name"/> when it is a shared assembly; otherwise null.</summary>
    public static Assembly? SharedAssembly(string? name) =>
        SharedAssemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Where the plugin's .deps.json puts the native library <paramref name="name"/>, or null.</summary>
    public string? ResolveNativeLibraryPath(string name) => resolver.ResolveUnmanagedDllToPath(name);

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (SharedAssembly(assemblyName.Name) is { } shared) return shared;
        var path = resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
