using System.Collections;
using System.Globalization;
using System.Reflection;
using KpLab.Abstractions;
using YamlDotNet.Serialization;

namespace KpLab.Hosting;

/// <summary>
/// Binds a plugin's typed options from what a script or a YAML file gives: null (all defaults), an instance of the
/// options type, an anonymous object (<c>new { minClusterSize = 15 }</c>), a dictionary, or YAML text. Names match
/// case-insensitively and ignore '-' and '_' (so <c>min_cluster_size</c> works); numbers convert when no precision is
/// lost; enums bind from their names. Every failure names the plugin, the option and the expected type. Binding is
/// the one place options are validated (<see cref="PluginOptions.Validate"/>): plugins and the catalog trust what it
/// returns.
/// </summary>
public static class OptionsBinder
{
    /// <summary>Binds options of type <typeparamref name="TOptions"/>.</summary>
    /// <exception cref="PluginOptionException">An option is unknown, of the wrong type or invalid.</exception>
    public static TOptions Bind<TOptions>(object? source, string plugin) where TOptions : PluginOptions, new() =>
        (TOptions)Bind(typeof(TOptions), source, plugin);

    /// <summary>Binds options of type <paramref name="optionsType"/>.</summary>
    /// <exception cref="PluginOptionException">An option is unknown, of the wrong type or invalid.</exception>
    public static PluginOptions Bind(Type optionsType, object? source, string plugin)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        if (!typeof(PluginOptions).IsAssignableFrom(optionsType))
            throw new ArgumentException($"{optionsType} does not derive from {nameof(PluginOptions)}.", nameof(optionsType));
        PluginOptions options;
        if (source is not null && optionsType.IsInstanceOfType(source))
            options = (PluginOptions)source;
        else
        {
            options = (PluginOptions)(Activator.CreateInstance(optionsType)
                ?? throw new ArgumentException($"{optionsType} has no parameterless constructor."));
            foreach (var (name, value) in Entries(source, plugin))
            {
                var property = FindProperty(optionsType, name)
                    ?? throw new PluginOptionException(plugin, name,
                        $"no such option; '{plugin}' has: {string.Join(", ", Properties(optionsType).Select(OptionName))}.");
                property.SetValue(options, Convert(value, property.PropertyType, plugin, OptionName(property)));
            }
        }
        var first = options.Validate().FirstOrDefault();
        if (first is not null) throw new PluginOptionException(plugin, first.Option, first.Message);
        return options;
    }

    /// <summary>
    /// Describes each option of <paramref name="optionsType"/> (name, type, default, description) from metadata alone:
    /// no code of the options record runs, so this works on a type loaded for inspection only (a
    /// <c>MetadataLoadContext</c> type) as well as on a loaded one. Defaults are the record's constant property
    /// initializers, read from the IL of its parameterless constructor; an initializer that is not a constant (a method
    /// call, an array, a value set in the constructor's body) is shown as <see cref="ComputedDefault"/>.
    /// </summary>
    public static IReadOnlyList<OptionDescriptor> Describe(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        var initializers = OptionDefaults.Read(optionsType);
        return Properties(optionsType).Select(p => new OptionDescriptor(
            OptionName(p), TypeName(p.PropertyType), DefaultOf(p, initializers), DescriptionOf(p))).ToArray();
    }

    /// <summary>What <see cref="Describe"/> shows for a default that only running the options record would tell.</summary>
    public const string ComputedDefault = "(computed)";

    /// <summary>A value formatted as <see cref="Describe"/> formats defaults, for comparing them with real values.</summary>
    public static string FormatDefault(object? value) => FormatValue(value);

    private static string DescriptionOf(PropertyInfo property) =>
        property.GetCustomAttributesData()
            .FirstOrDefault(a => a.AttributeType.FullName == "System.ComponentModel.DescriptionAttribute")
            ?.ConstructorArguments.FirstOrDefault().Value as string ?? "";

    private static string DefaultOf(PropertyInfo property, OptionDefaults.Initializers initializers)
    {
        var type = property.PropertyType;
        var nullable = NullableUnderlying(type);
        if (!initializers.Values.TryGetValue(property.Name, out var value))
        {
            if (initializers.BodyAssigns) return ComputedDefault;
            if (!type.IsValueType || nullable is not null) return "null";
            value = 0;
        }
        if (value == OptionDefaults.Computed) return ComputedDefault;
        if (value == OptionDefaults.Null) return "null";
        if (value is Array { Length: 0 }) return "[]";
        var target = nullable ?? type;
        var primitive = Type.GetType(target.FullName ?? "");
        try
        {
            if (target.IsEnum) return EnumName(target, value);
            return target.FullName switch
            {
                "System.Boolean" => FormatValue(System.Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0),
                "System.Char" => FormatValue((char)System.Convert.ToInt32(value, CultureInfo.InvariantCulture)),
                "System.String" => FormatValue(value as string),
                _ when primitive is not null && (primitive.IsPrimitive || primitive == typeof(decimal)) =>
                    FormatValue(System.Convert.ChangeType(value, primitive, CultureInfo.InvariantCulture)),
                _ => value is 0 && !target.IsValueType ? "null" : ComputedDefault,
            };
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
        {
            return ComputedDefault;
        }
    }

    private static string EnumName(Type enumType, object value)
    {
        var number = System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
        foreach (var field in enumType.GetFields(BindingFlags.Public | BindingFlags.Static))
            if (field.IsLiteral && System.Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture) == number)
                return char.ToLowerInvariant(field.Name[0]) + field.Name[1..];
        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static Type? NullableUnderlying(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? type.GetGenericArguments()[0] : null;

    /// <summary>The settable options of a type, in declaration order.</summary>
    public static IEnumerable<PropertyInfo> Properties(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken);

    /// <summary>An option's script name: its property name in camelCase.</summary>
    public static string OptionName(PropertyInfo property) =>
        char.ToLowerInvariant(property.Name[0]) + property.Name[1..];

    private static PropertyInfo? FindProperty(Type type, string name)
    {
        var key = Normalize(name);
        return Properties(type).FirstOrDefault(p => Normalize(p.Name) == key);
    }

    private static string Normalize(string name) => name.Replace("_", "").Replace("-", "").ToLowerInvariant();

    private static IEnumerable<(string Name, object? Value)> Entries(object? source, string plugin)
    {
        switch (source)
        {
            case null:
                yield break;
            case string yaml:
                foreach (var entry in Entries(ParseYaml(yaml, plugin), plugin)) yield return entry;
                yield break;
            case IDictionary dictionary:
                foreach (DictionaryEntry e in dictionary) yield return (e.Key.ToString()!, e.Value);
                yield break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (k, v) in pairs) yield return (k, v);
                yield break;
            default:
                foreach (var p in source.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    if (p.GetIndexParameters().Length == 0) yield return (p.Name, p.GetValue(source));
                yield break;
        }
    }

    private static Dictionary<object, object?> ParseYaml(string yaml, string plugin)
    {
        if (string.IsNullOrWhiteSpace(yaml)) return [];
        try
        {
            var parsed = new DeserializerBuilder().Build().Deserialize<object?>(yaml);
            return parsed switch
            {
                null => [],
                Dictionary<object, object?> map => map,
                _ => throw new PluginOptionException(plugin, "(yaml)", "options YAML must be a mapping of option names to values."),
            };
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new PluginOptionException(plugin, "(yaml)", $"YAML is malformed at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
    }

    private static object? Convert(object? value, Type target, string plugin, string option)
    {
        var underlying = Nullable.GetUnderlyingType(target);
        if (value is null)
        {
            if (!target.IsValueType || underlying is not null) return null;
            throw new PluginOptionException(plugin, option, $"expects {TypeName(target)}, got null.");
        }
        var type = underlying ?? target;
        if (type.IsInstanceOfType(value)) return value;
        try
        {
            if (type.IsEnum)
            {
                var text = value.ToString()!;
                foreach (var name in Enum.GetNames(type))
                    if (Normalize(name) == Normalize(text)) return Enum.Parse(type, name);
                throw new PluginOptionException(plugin, option,
                    $"expects one of {string.Join(", ", Enum.GetNames(type).Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}, got '{text}'.");
            }
            if (type == typeof(string)) return value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString();
            if (type == typeof(bool) && value is string sb) return bool.Parse(sb);
            if (IsNumeric(type))
            {
                if (value is string s)
                    value = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (!IsNumeric(value.GetType())) throw new InvalidCastException();
                var d = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                var converted = System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
                if (type != typeof(double) && type != typeof(float) && System.Convert.ToDouble(converted, CultureInfo.InvariantCulture) != d)
                    throw new PluginOptionException(plugin, option, $"expects {TypeName(target)}, got {FormatValue(value)} (not a whole number in range).");
                return converted;
            }
            if (type.IsArray && value is IEnumerable items and not string)
            {
                var element = type.GetElementType()!;
                var list = items.Cast<object?>().Select(i => Convert(i, element, plugin, option)).ToArray();
                var array = Array.CreateInstance(element, list.Length);
                for (int i = 0; i < list.Length; i++) array.SetValue(list[i], i);
                return array;
            }
            if (type == typeof(IReadOnlyList<string>) && value is IEnumerable strings and not string)
                return strings.Cast<object?>().Select(o => o?.ToString() ?? "").ToArray();
            return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
        }
        catch (PluginOptionException) { throw; }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new PluginOptionException(plugin, option,
                $"expects {TypeName(target)}, got {value.GetType().Name} {FormatValue(value)}.");
        }
    }

    private static bool IsNumeric(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float) || t == typeof(short) ||
        t == typeof(byte) || t == typeof(decimal) || t == typeof(uint) || t == typeof(ulong);

    /// <summary>A readable name for an option type (a loaded type or one inspected through metadata).</summary>
    public static string TypeName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var underlying = NullableUnderlying(type);
        if (underlying is not null) return TypeName(underlying) + "?";
        if (type.IsEnum)
        {
            var names = type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
                .Select(f => char.ToLowerInvariant(f.Name[0]) + f.Name[1..]);
            return $"{type.Name} ({string.Join("|", names)})";
        }
        if (type.IsArray) return TypeName(type.GetElementType()!) + "[]";
        return type.FullName switch
        {
            "System.Int32" => "int",
            "System.Int64" => "long",
            "System.Double" => "double",
            "System.Single" => "float",
            "System.Boolean" => "bool",
            "System.String" => "string",
            _ => type.Name,
        };
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        Enum e => char.ToLowerInvariant(e.ToString()[0]) + e.ToString()[1..],
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(FormatValue)) + "]",
        _ => value.ToString() ?? "",
    };
}
