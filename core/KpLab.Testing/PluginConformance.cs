using System.ComponentModel;
using System.Reflection;
using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>
/// Checks a plugin against the KpLab contracts in one call, as scikit-learn's <c>check_estimator</c> does for
/// estimators: metadata and options, then the checks of its kind (see <see cref="ConformanceChecks"/>). The plugin is
/// created as a host creates it (options bound and validated, a seeded <see cref="PluginContext"/>).
/// </summary>
/// <example>
/// <code>
/// [Fact]
/// public void Conforms() => PluginConformance.AssertConforms&lt;MyEmbedder&gt;();
/// </code>
/// </example>
public static class PluginConformance
{
    /// <summary>Runs every check on <typeparamref name="TPlugin"/> and returns the report.</summary>
    public static ConformanceReport Check<TPlugin>(ConformanceOptions? options = null) => Check(typeof(TPlugin), options);

    /// <summary>Runs every check on <paramref name="pluginType"/> and returns the report; checks never throw, they fail.</summary>
    public static ConformanceReport Check(Type pluginType, ConformanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pluginType);
        options ??= new ConformanceOptions();
        var log = new CheckLog(options.SkipChecks);
        var attribute = pluginType.GetCustomAttribute<KpLabPluginAttribute>(inherit: false);
        log.Run(ConformanceChecks.Attribute, () => CheckAttribute(pluginType, attribute));
        PluginUnderTest? plugin = null;
        log.Run(ConformanceChecks.Constructor, () =>
        {
            plugin = PluginUnderTest.Inspect(pluginType, options, out var problem);
            CheckLog.Require(plugin is not null, problem);
            var parameters = plugin!.Constructor.GetParameters();
            return parameters.Length == 0
                ? "one public parameterless constructor."
                : $"one public constructor ({string.Join(", ", parameters.Select(p => p.ParameterType.Name))}).";
        });
        if (plugin is null || attribute is null || !PluginUnderTest.InterfaceOf(attribute.Kind).IsAssignableFrom(pluginType))
            return Finish(pluginType, attribute, log, "the plugin cannot be created as a host would create it");

        log.Run(ConformanceChecks.OptionsDocumented, () => CheckOptionsDocumented(plugin));
        object? instance = null;
        log.Run(ConformanceChecks.DefaultsBind, () =>
        {
            var bound = plugin.BaseOptions();
            instance = plugin.Create(bound);
            return $"{plugin.OptionsType.Name} binds ({DescribeValues(plugin, bound)}) and creates the plugin.";
        });
        if (instance is null)
            return Finish(pluginType, attribute, log, "the plugin cannot be created with its default options");

        var kind = KindChecks.For(plugin, instance);
        log.Run(ConformanceChecks.BadValues, () => OptionValueChecks.BadValues(plugin, kind.Exercise));
        kind.Run(log);
        return Finish(pluginType, attribute, log, null);
    }

    /// <summary>Runs every check on <typeparamref name="TPlugin"/> and throws when one fails.</summary>
    /// <exception cref="ConformanceException">A check failed; the message lists every check.</exception>
    public static ConformanceReport AssertConforms<TPlugin>(ConformanceOptions? options = null) =>
        AssertConforms(typeof(TPlugin), options);

    /// <summary>
    /// Runs every check on <paramref name="pluginType"/> and throws when one fails, so any test framework reports the
    /// failure with the full report as its message.
    /// </summary>
    /// <exception cref="ConformanceException">A check failed; the message lists every check.</exception>
    public static ConformanceReport AssertConforms(Type pluginType, ConformanceOptions? options = null)
    {
        var report = Check(pluginType, options);
        if (!report.Passed) throw new ConformanceException(report);
        return report;
    }

    private static ConformanceReport Finish(Type type, KpLabPluginAttribute? attribute, CheckLog log, string? stoppedBecause)
    {
        if (stoppedBecause is not null)
            log.Skip("(remaining checks)", $"not run: {stoppedBecause}.");
        return new ConformanceReport(type, attribute?.Name, attribute?.Kind, log.Results);
    }

    private static string CheckAttribute(Type type, KpLabPluginAttribute? attribute)
    {
        CheckLog.Require(attribute is not null, $"{type.FullName} has no [KpLabPlugin(kind, name, Description = ...)] attribute.");
        var problems = new List<string>();
        if (!PluginUnderTest.ValidName().IsMatch(attribute!.Name ?? ""))
            problems.Add($"the name '{attribute.Name}' is not lower-case letters and digits joined by single hyphens (e.g. \"use-lite\")");
        if (!Enum.IsDefined(attribute.Kind))
            problems.Add($"the kind {attribute.Kind} is not a PluginKind");
        else if (!PluginUnderTest.InterfaceOf(attribute.Kind).IsAssignableFrom(type))
            problems.Add($"it is declared a {attribute.Kind.ToString().ToLowerInvariant()} but does not implement {PluginUnderTest.InterfaceOf(attribute.Kind).Name}");
        if (string.IsNullOrWhiteSpace(attribute.Description))
            problems.Add("it has no Description (one sentence shown by `kplab plugins`)");
        if (!type.IsClass || type.IsAbstract || !type.IsVisible || type.ContainsGenericParameters)
            problems.Add("a plugin must be a public, non-abstract, non-generic class");
        CheckLog.Require(problems.Count == 0, string.Join("; ", problems) + ".");
        return $"{attribute.Kind.ToString().ToLowerInvariant()} '{attribute.Name}', described, implements {PluginUnderTest.InterfaceOf(attribute.Kind).Name}.";
    }

    private static string CheckOptionsDocumented(PluginUnderTest plugin)
    {
        var type = plugin.OptionsType;
        CheckLog.Require(type.GetConstructor(Type.EmptyTypes) is not null,
            $"{type.Name} has no public parameterless constructor, so a host cannot bind it.");
        var descriptors = OptionsBinder.Describe(type);
        var undocumented = plugin.Options
            .Where(p => string.IsNullOrWhiteSpace(p.GetCustomAttribute<DescriptionAttribute>()?.Description))
            .Select(OptionsBinder.OptionName).ToArray();
        CheckLog.Require(undocumented.Length == 0,
            $"{type.Name}: option(s) without a [Description(\"...\")]: {string.Join(", ", undocumented)}.");
        var readOnly = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => !p.CanWrite && p.DeclaringType != typeof(PluginOptions) && p.GetIndexParameters().Length == 0
                && p.Name != "EqualityContract" && p.GetMethod?.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null)
            .Select(p => p.Name).ToArray();
        CheckLog.Require(readOnly.Length == 0,
            $"{type.Name}: auto-properties without a setter cannot be bound: {string.Join(", ", readOnly)}; use {{ get; init; }}.");
        return descriptors.Count == 0
            ? $"{type.Name} has no options."
            : $"{type.Name}: {descriptors.Count} option(s), each with a description and a default.";
    }

    private static string DescribeValues(PluginUnderTest plugin, PluginOptions options) =>
        plugin.Options.Count == 0
            ? "no options"
            : string.Join(", ", plugin.Options.Select(p => $"{OptionsBinder.OptionName(p)} = {Format(p.GetValue(options))}"));

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
