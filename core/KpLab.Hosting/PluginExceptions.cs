using System.Reflection;
using KpLab.Abstractions;

namespace KpLab.Hosting;

/// <summary>
/// Creating a plugin failed: loading its assembly, its static constructor or module initializer, its options record or
/// its constructor threw. Names the plugin and the file it came from, and the root cause behind a type initializer's
/// wrapper; the exception thrown is the inner exception.
/// </summary>
public sealed class PluginCreationException(PluginDescriptor plugin, Exception cause)
    : Exception($"The {plugin.Kind.ToString().ToLowerInvariant()} plugin '{plugin.Name}' (from {plugin.AssemblyPath}) " +
        $"failed while being created: {Describe(cause)}", cause)
{
    /// <summary>The plugin that failed.</summary>
    public PluginDescriptor Plugin { get; } = plugin;

    /// <summary>"Type: message", followed by the innermost cause when a type initializer or reflection wrapped it.</summary>
    private static string Describe(Exception cause)
    {
        var text = $"{cause.GetType().Name}: {cause.Message}";
        var root = cause;
        while (root is TypeInitializationException or TargetInvocationException && root.InnerException is { } inner) root = inner;
        return root == cause ? text : $"{text} Caused by {root.GetType().Name}: {root.Message}";
    }
}

/// <summary>
/// A script asked for a plugin name that two or more plugin assemblies define. Neither is used, so that which code
/// runs never depends on search order; the message names every file.
/// </summary>
public sealed class PluginConflictException(PluginKind kind, string name, IReadOnlyList<string> assemblyPaths)
    : InvalidOperationException($"The {kind.ToString().ToLowerInvariant()} plugin name '{name}' is defined by more than one " +
        $"assembly, so none of them is used: {string.Join(" and ", assemblyPaths)}. Remove all but one from the plugin folders.")
{
    /// <summary>The kind asked for.</summary>
    public PluginKind Kind { get; } = kind;

    /// <summary>The conflicting name.</summary>
    public string Name { get; } = name;

    /// <summary>Every assembly that defines it.</summary>
    public IReadOnlyList<string> AssemblyPaths { get; } = assemblyPaths;
}
