using System.Reflection;
using KpLab.Abstractions;
using KpLab.Hosting;

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
        var attribute = PluginRules.Declaration(pluginType);
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
        // A bad name or a missing description is reported but the other checks still run; a plugin of no known kind, or
        // one not implementing its kind's interface, cannot be exercised.
        if (plugin is null || attribute is null || !Enum.IsDefined(attribute.Kind) || !PluginRules.InterfaceOf(attribute.Kind).IsAssignableFrom(pluginType))
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

    private static ConformanceReport Finish(Type type, PluginDeclaration? attribute, CheckLog log, string? stoppedBecause)
    {
        if (stoppedBecause is not null)
            log.Skip("(remaining checks)", $"not run: {stoppedBecause}.");
        return new ConformanceReport(type, attribute?.Name, attribute?.Kind, log.Results);
    }

    private static string CheckAttribute(Type type, PluginDeclaration? attribute)
    {
        CheckLog.Require(attribute is not null, $"{type.FullName} has no [KpLabPlugin(kind, name, Description = ...)] attribute.");
        var problems = new List<string>();
        if (PluginRules.DeclarationProblem(type, attribute!) is { } broken) problems.Add(broken.TrimEnd('.'));
        if (string.IsNullOrWhiteSpace(attribute!.Description))
            problems.Add("it has no Description (one sentence shown by `kplab plugins`)");
        CheckLog.Require(problems.Count == 0, string.Join("; ", problems) + ".");
        return $"{attribute.Kind.ToString().ToLowerInvariant()} '{attribute.Name}', described, implements {PluginRules.InterfaceOf(attribute.Kind).Name}.";
    }

    private static string CheckOptionsDocumented(PluginUnderTest plugin)
    {
        var type = plugin.OptionsType;
        CheckLog.Require(type.GetConstructor(Type.EmptyTypes) is not null,
            $"{type.Name} has no public parameterless constructor, so a host cannot bind it.");
        var descriptors = OptionsBinder.Describe(type);
        var undocumented = descriptors.Where(d => string.IsNullOrWhiteSpace(d.Description)).Select(d => d.Name).ToArray();
        CheckLog.Require(undocumented.Length == 0,
            $"{type.Name}: option(s) without a [Description(\"...\")]: {string.Join(", ", undocumented)}.");
        // `kplab plugins` reads defaults from metadata without running the record; they must be the real ones.
        var defaults = Activator.CreateInstance(type);
        var wrong = plugin.Options.Zip(descriptors)
            .Where(pair => pair.Second.Default != OptionsBinder.ComputedDefault
                && pair.Second.Default != OptionsBinder.FormatDefault(pair.First.GetValue(defaults)))
            .Select(pair => $"{pair.Second.Name} (listed {pair.Second.Default}, really {OptionsBinder.FormatDefault(pair.First.GetValue(defaults))})")
            .ToArray();
        CheckLog.Require(wrong.Length == 0, $"{type.Name}: defaults read from metadata differ from the record's: {string.Join(", ", wrong)}.");
        var readOnly = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => !p.CanWrite && p.DeclaringType != typeof(PluginOptions) && p.GetIndexParameters().Length == 0
                && p.Name != "EqualityContract" && p.GetMethod?.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null)
            .Select(p => p.Name).ToArray();
        CheckLog.Require(readOnly.Length == 0,
            $"{type.Name}: auto-properties without a setter cannot be bound: {string.Join(", ", readOnly)}; use {{ get; init; }}.");
        return descriptors.Count == 0
            ? $"{type.Name} has no options."
            : $"{type.Name}: {descriptors.Count} option(s), each with a description and a default " +
              $"({descriptors.Count(d => d.Default != OptionsBinder.ComputedDefault)} read from metadata as `kplab plugins` shows them).";
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
