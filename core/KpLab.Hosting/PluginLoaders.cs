using System.Reflection;
using KpLab.Abstractions;
using KpLab.Kernels;
using McMaster.NETCore.Plugins;

namespace KpLab.Hosting;

/// <summary>
/// Creates the McMaster.NETCore.Plugins loader of one plugin assembly: a collectible load context in which the
/// contracts (KpLab.Abstractions) and the kernel (KpLab.Kernels) always resolve to the host's own assemblies, so their
/// types have one identity across plugins, and every other managed or native dependency resolves from the plugin's
/// folder through its .deps.json, falling back to the host for what that does not list (the framework).
/// </summary>
internal static class PluginLoaders
{
    /// <summary>The host assemblies every plugin shares; the first is the contracts.</summary>
    public static IReadOnlyList<Assembly> SharedAssemblies { get; } = [typeof(PluginKind).Assembly, typeof(VectorMath).Assembly];

    /// <summary>The names and versions of <see cref="SharedAssemblies"/>.</summary>
    public static IReadOnlyList<AssemblyName> SharedAssemblyNames { get; } = SharedAssemblies.Select(a => a.GetName()).ToArray();

    /// <summary>The host's copy of <paramref name="name"/> when it is a shared assembly; otherwise null.</summary>
    public static Assembly? SharedAssembly(string? name) =>
        SharedAssemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>An unloadable loader for the plugin assembly at <paramref name="assemblyPath"/>; nothing is loaded until asked.</summary>
    public static PluginLoader Create(string assemblyPath) =>
        PluginLoader.CreateFromAssemblyFile(assemblyPath, isUnloadable: true, sharedTypes: [typeof(PluginKind), typeof(VectorMath)]);
}
