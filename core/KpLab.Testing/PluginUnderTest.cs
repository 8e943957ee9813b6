using System.Reflection;
using System.Text.RegularExpressions;
using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>A plugin type with what the kit needs to create it the way a host does.</summary>
internal sealed partial class PluginUnderTest
{
    private PluginUnderTest(Type type, KpLabPluginAttribute attribute, ConstructorInfo constructor, Type optionsType,
        ConformanceOptions settings)
    {
        Type = type;
        Attribute = attribute;
        Constructor = constructor;
        OptionsType = optionsType;
        Settings = settings;
    }

    public Type Type { get; }

    public KpLabPluginAttribute Attribute { get; }

    public string Name => Attribute.Name;

    public ConstructorInfo Constructor { get; }

    public Type OptionsType { get; }

    public ConformanceOptions Settings { get; }

    /// <summary>The options the checks start from: <see cref="ConformanceOptions.PluginOptions"/> over the defaults.</summary>
    public PluginOptions BaseOptions() => OptionsBinder.Bind(OptionsType, Settings.PluginOptions, Name);

    /// <summary>The options in declaration order.</summary>
    public IReadOnlyList<PropertyInfo> Options => OptionsBinder.Properties(OptionsType).ToArray();

    /// <summary>Creates the plugin as a host would, with <paramref name="options"/> and a context seeded with <paramref name="seed"/>.</summary>
    public object Create(PluginOptions options, int? seed = null)
    {
        var context = new PluginContext(new RandomSource(seed ?? Settings.Seed))
        {
            CacheDirectory = Settings.CacheDirectory ?? PluginContext.DefaultCacheDirectory(),
        };
        var arguments = Constructor.GetParameters()
            .Select(p => p.ParameterType == typeof(PluginContext) ? (object)context : options)
            .ToArray();
        return Constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
    }

    /// <summary><paramref name="options"/> with one option set to <paramref name="value"/>, bound and validated as a host would.</summary>
    /// <exception cref="PluginOptionException">The binder or Validate refuses the value.</exception>
    public PluginOptions Bind(PluginOptions options, PropertyInfo option, object? value)
    {
        var values = Options.ToDictionary(p => p.Name, p => p.GetValue(options));
        values[option.Name] = value;
        return OptionsBinder.Bind(OptionsType, values, Name);
    }

    /// <summary><see cref="Bind"/>, or null with the binder's error when the value is refused.</summary>
    public PluginOptions? With(PluginOptions options, PropertyInfo option, object? value, out string? error)
    {
        try
        {
            error = null;
            return Bind(options, option, value);
        }
        catch (PluginOptionException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>
    /// Reads the plugin rules a host enforces; null with <paramref name="problem"/> set when the type cannot be
    /// created as a plugin at all.
    /// </summary>
    public static PluginUnderTest? Inspect(Type type, ConformanceOptions settings, out string problem)
    {
        var attribute = type.GetCustomAttribute<KpLabPluginAttribute>(inherit: false);
        if (attribute is null)
        {
            problem = $"{type.FullName} has no [KpLabPlugin] attribute.";
            return null;
        }
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length != 1)
        {
            problem = $"{type.FullName} has {constructors.Length} public constructors; a plugin has exactly one.";
            return null;
        }
        Type? options = null;
        var context = false;
        foreach (var parameter in constructors[0].GetParameters())
        {
            var t = parameter.ParameterType;
            if (t == typeof(PluginContext) && !context) context = true;
            else if (typeof(PluginOptions).IsAssignableFrom(t) && !t.IsAbstract && options is null) options = t;
            else
            {
                problem = $"constructor parameter '{parameter.Name}' ({t.Name}) is not one a host can supply: a plugin " +
                    "constructor takes at most one options record (deriving PluginOptions) and at most one PluginContext.";
                return null;
            }
        }
        problem = "";
        return new PluginUnderTest(type, attribute, constructors[0], options ?? typeof(NoOptions), settings);
    }

    /// <summary>The interface a plugin of <paramref name="kind"/> implements.</summary>
    public static Type InterfaceOf(PluginKind kind) => kind switch
    {
        PluginKind.Embedder => typeof(IEmbedder),
        PluginKind.Clusterer => typeof(IClusterer),
        PluginKind.Metric => typeof(IMetric),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown plugin kind."),
    };

    /// <summary>The host's rule for script names: lower-case letters and digits, words joined by single hyphens.</summary>
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    public static partial Regex ValidName();
}
