using System.Reflection;
using System.Text.RegularExpressions;
using KpLab.Abstractions;

namespace KpLab.Hosting;

/// <summary>A loaded plugin type: its public description and the constructor the host calls.</summary>
internal sealed partial record PluginEntry(PluginDescriptor Descriptor, ConstructorInfo Constructor)
{
    /// <summary>What a plugin assembly contributes to each of its descriptors.</summary>
    public sealed record AssemblyFacts(string Path, string Sha256, string Version, PluginOrigin Origin);

    /// <summary>Checks <paramref name="type"/> against the plugin rules and describes it; null with <paramref name="problem"/> set when it breaks one.</summary>
    public static PluginEntry? Inspect(Type type, KpLabPluginAttribute plugin, AssemblyFacts assembly, out string? problem)
    {
        problem = Problem(type, plugin, out var constructor, out var optionsType);
        if (problem is not null) return null;
        IReadOnlyList<OptionDescriptor> options;
        try
        {
            options = OptionsBinder.Describe(optionsType);
        }
        catch (Exception e)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            problem = $"its options record {optionsType.FullName} cannot be described ({cause.GetType().Name}: {cause.Message}); " +
                "options records need a public parameterless constructor and defaults that do not throw.";
            return null;
        }
        var descriptor = new PluginDescriptor(plugin.Kind, plugin.Name, assembly.Version, plugin.Description, assembly.Path,
            assembly.Sha256, assembly.Origin, optionsType, options);
        return new PluginEntry(descriptor, constructor!);
    }

    /// <summary>The interface a plugin of <paramref name="kind"/> implements.</summary>
    public static Type InterfaceOf(PluginKind kind) => kind switch
    {
        PluginKind.Embedder => typeof(IEmbedder),
        PluginKind.Clusterer => typeof(IClusterer),
        PluginKind.Metric => typeof(IMetric),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown plugin kind."),
    };

    /// <summary>The assembly's version for descriptors: its informational version without a "+build" suffix, else its assembly version.</summary>
    public static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrWhiteSpace(informational))
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus >= 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString() ?? "0.0.0.0";
    }

    private static string? Problem(Type type, KpLabPluginAttribute plugin, out ConstructorInfo? constructor, out Type optionsType)
    {
        constructor = null;
        optionsType = typeof(NoOptions);
        var kind = plugin.Kind.ToString().ToLowerInvariant();
        if (!PluginName().IsMatch(plugin.Name ?? ""))
            return $"its name '{plugin.Name}' is not lower-case letters, digits and single hyphens (e.g. \"hdbscan\", \"use-lite\").";
        if (!Enum.IsDefined(plugin.Kind))
            return $"its kind {plugin.Kind} is not one this host knows.";
        if (!type.IsClass || type.IsAbstract || !type.IsVisible || type.ContainsGenericParameters)
            return "a plugin must be a public, non-abstract, non-generic class.";
        var contract = InterfaceOf(plugin.Kind);
        if (!contract.IsAssignableFrom(type))
            return $"it is declared a {kind} but does not implement {contract.Name}.";

        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length != 1)
            return $"it has {constructors.Length} public constructors; a plugin has exactly one, taking any of its options record and a PluginContext.";
        constructor = constructors[0];
        Type? options = null;
        bool context = false;
        foreach (var parameter in constructor.GetParameters())
        {
            var t = parameter.ParameterType;
            if (t == typeof(PluginContext) && !context) context = true;
            else if (typeof(PluginOptions).IsAssignableFrom(t) && !t.IsAbstract && options is null) options = t;
            else
                return $"its constructor parameter '{parameter.Name}' ({t.Name}) is not one the host can supply; a plugin " +
                    "constructor takes at most one options record (deriving PluginOptions) and at most one PluginContext.";
        }
        optionsType = options ?? typeof(NoOptions);
        return null;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PluginName();
}
