using System.Reflection;
using KpLab.Abstractions;
using KpLab.Hosting;

namespace KpLab.Testing;

/// <summary>A plugin type with what the kit needs to create it the way a host does.</summary>
internal sealed class PluginUnderTest
{
    private PluginUnderTest(Type type, PluginDeclaration declaration, PluginShape shape, ConformanceOptions settings)
    {
        Type = type;
        Declaration = declaration;
        Shape = shape;
        Settings = settings;
    }

    public Type Type { get; }

    public PluginDeclaration Declaration { get; }

    public string Name => Declaration.Name;

    public PluginShape Shape { get; }

    public ConstructorInfo Constructor => Shape.Constructor;

    public Type OptionsType => Shape.OptionsType ?? typeof(NoOptions);

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
        return Constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null,
            PluginRules.ConstructorArguments(Shape, options, context), culture: null);
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
    /// Applies the host's own <see cref="PluginRules"/>; null with <paramref name="problem"/> set when the type cannot
    /// be created as a plugin at all.
    /// </summary>
    public static PluginUnderTest? Inspect(Type type, ConformanceOptions settings, out string problem)
    {
        var declaration = PluginRules.Declaration(type);
        if (declaration is null)
        {
            problem = $"{type.FullName} has no [KpLabPlugin] attribute.";
            return null;
        }
        var shape = PluginRules.Shape(type, out var broken);
        problem = broken is null ? "" : $"{type.FullName}: {broken}";
        return shape is null ? null : new PluginUnderTest(type, declaration, shape, settings);
    }
}
