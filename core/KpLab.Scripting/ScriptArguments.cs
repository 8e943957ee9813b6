using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace KpLab.Scripting;

/// <summary>
/// A script argument that cannot be bound: an unknown flag (named with the nearest known one), a bad value (named
/// with the flag and the type it expects), a missing value or a missing required argument.
/// </summary>
public sealed class ScriptArgumentException(string message) : ArgumentException(message);

/// <summary>The script asked for <c>--help</c>: the help was printed, and the run ends here, successfully.</summary>
internal sealed class ScriptHelpShown() : Exception("The script's arguments were listed (--help).");

/// <summary>
/// Binds a script's arguments (the words after <c>--</c>) to a record: each public property is a flag named in
/// kebab case (<c>MinAnswers</c> is <c>--min-answers</c>), described by its <see cref="DescriptionAttribute"/> (on the
/// property or the record's parameter), defaulting to the record's parameter default or property initializer.
/// Values: int, long, double, float, bool (<c>--flag</c>, <c>--flag true|false</c>, <c>--flag=false</c>), string,
/// enums (by name, any case), nullable ones, and lists of them (<c>--names a b c</c>, or the flag repeated).
/// </summary>
internal sealed class ScriptArguments
{
    private readonly ConstructorInfo _constructor;
    private readonly IReadOnlyList<Flag> _flags;

    private ScriptArguments(ConstructorInfo constructor, IReadOnlyList<Flag> flags)
    {
        _constructor = constructor;
        _flags = flags;
    }

    /// <summary>The flags (e.g. <c>--min-answers</c>), in declaration order.</summary>
    public IEnumerable<string> Names => _flags.Select(f => f.Name);

    /// <summary>Describes <paramref name="type"/>'s arguments.</summary>
    /// <exception cref="ArgumentException">The type has no public constructor or a property of an unsupported type.</exception>
    public static ScriptArguments For(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                          ?? throw new ArgumentException($"Lab.Args<{type.Name}>: the type needs a public constructor.");
        var parameters = constructor.GetParameters().ToDictionary(p => p.Name ?? "", StringComparer.Ordinal);
        var defaults = InitializerValues(constructor);
        var flags = new List<Flag>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract") continue;
            parameters.TryGetValue(property.Name, out var parameter);
            if (parameter is null && property.SetMethod is not { IsPublic: true }) continue; // computed: not an argument
            var kind = ValueKind.Of(property.PropertyType)
                       ?? throw new ArgumentException(
                           $"Lab.Args<{type.Name}>: {property.Name} is a {property.PropertyType.Name}; arguments may be int, long, double, " +
                           "float, bool, string, an enum, a nullable one or a list (array, List, IReadOnlyList) of them.");
            bool required = parameter is { HasDefaultValue: false };
            object? fallback = parameter is not null
                ? parameter.HasDefaultValue ? Normalise(parameter.DefaultValue, property.PropertyType) : null
                : defaults is null ? null : property.GetValue(defaults);
            var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description
                              ?? parameter?.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
            flags.Add(new Flag("--" + KebabCase(property.Name), property, parameter, kind, required, fallback, description));
        }
        return new ScriptArguments(constructor, flags);
    }

    // An instance made with the parameters' defaults (zero or null for required ones) shows the properties'
    // initializers; null when the constructor refuses those values.
    private static object? InitializerValues(ConstructorInfo constructor)
    {
        var arguments = constructor.GetParameters()
            .Select(p => p.HasDefaultValue ? Normalise(p.DefaultValue, p.ParameterType)
                : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)
            .ToArray();
        try { return constructor.Invoke(arguments); }
        catch (TargetInvocationException) { return null; }
    }

    /// <summary>Whether <paramref name="args"/> asks for the argument list.</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args) => args.Any(a => a is "--help" or "-h");

    /// <summary>Binds <paramref name="args"/>.</summary>
    /// <exception cref="ScriptArgumentException">An unknown flag, a bad or missing value.</exception>
    public object Bind(IReadOnlyList<string> args)
    {
        var given = new Dictionary<Flag, List<string>>();
        for (int i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new ScriptArgumentException(
                    $"Unexpected script argument {LogText.Quote(token)}: arguments are flags with values (e.g. {_flags.FirstOrDefault()?.Name ?? "--name"} value). " +
                    "Run with -- --help to list them.");
            int equals = token.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? token : token[..equals];
            var flag = _flags.FirstOrDefault(f => f.Name == name)
                       ?? throw new ScriptArgumentException(
                           $"Unknown script argument {name}{NearestName.Suggestion(name, Names)} Known: {string.Join(", ", Names)}.");
            if (!given.TryGetValue(flag, out var raw)) given[flag] = raw = [];
            else if (!flag.Kind.IsList)
                throw new ScriptArgumentException($"Script argument {name} is given twice.");
            if (equals >= 0)
            {
                raw.Add(token[(equals + 1)..]);
                continue;
            }
            if (flag.Kind.Element == typeof(bool) && !flag.Kind.IsList)
            {
                // A bare boolean flag means true; an explicit true/false after it is its value.
                if (i + 1 < args.Count && bool.TryParse(args[i + 1], out _)) raw.Add(args[++i]);
                else raw.Add("true");
                continue;
            }
            int before = raw.Count;
            while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                raw.Add(args[++i]);
                if (!flag.Kind.IsList) break;
            }
            if (raw.Count == before && !flag.Kind.IsList)
                throw new ScriptArgumentException($"Script argument {name} needs a value ({flag.Kind.Display}).");
        }

        var missing = _flags.Where(f => f.Required && !given.ContainsKey(f)).Select(f => f.Name).ToArray();
        if (missing.Length > 0)
            throw new ScriptArgumentException($"Missing required script argument{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}.");
        var values = _flags.ToDictionary(f => f, f => given.TryGetValue(f, out var words) ? Convert(f, words) : f.Default);
        var arguments = _constructor.GetParameters()
            .Select(p => _flags.FirstOrDefault(f => f.Parameter == p) is { } f ? values[f] : p.HasDefaultValue ? p.DefaultValue : null)
            .ToArray();
        var result = _constructor.Invoke(arguments);
        foreach (var flag in _flags.Where(f => f.Parameter is null && given.ContainsKey(f)))
            flag.Property.SetValue(result, values[flag]);
        return result;
    }

    /// <summary>The bound values as flags, e.g. <c>--min-answers 60 --embedders [use-lite, tfidf]</c>, for the run log.</summary>
    public string Describe(object bound) =>
        string.Join(" ", _flags.Select(f => $"{f.Name} {Format(f.Property.GetValue(bound))}"));

    /// <summary>The argument list: flag, type, default, description.</summary>
    public string Help(string scriptName)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Arguments of {scriptName} (kplab run {scriptName} -- [arguments]):\n");
        var rows = _flags.Select(f => (Flag: f.Kind.Element == typeof(bool) && !f.Kind.IsList ? f.Name : $"{f.Name} <{f.Kind.Display}>",
            Default: f.Required ? "required" : "default: " + Format(f.Default), f.Description)).ToArray();
        int flagWidth = rows.Select(r => r.Flag.Length).DefaultIfEmpty(0).Max();
        int defaultWidth = rows.Select(r => r.Default.Length).DefaultIfEmpty(0).Max();
        foreach (var (flag, fallback, description) in rows)
            text.Append($"  {flag.PadRight(flagWidth)}  {fallback.PadRight(defaultWidth)}  {description}".TrimEnd()).Append('\n');
        if (rows.Length == 0) text.Append("  (none)\n");
        return text.ToString();
    }

    /// <summary>"MinAnswers" → "min-answers", "KMax" → "k-max", "HTTPPort" → "http-port".</summary>
    internal static string KebabCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 &&
                (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                text.Append('-');
            if (c == '_') { text.Append('-'); continue; }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    private object? Convert(Flag flag, List<string> raw)
    {
        if (!flag.Kind.IsList) return Parse(flag, raw[0], flag.Kind.Element);
        var items = Array.CreateInstance(flag.Kind.Element, raw.Count);
        for (int i = 0; i < raw.Count; i++) items.SetValue(Parse(flag, raw[i], flag.Kind.Element), i);
        return flag.Property.PropertyType.IsArray ? items : Activator.CreateInstance(typeof(List<>).MakeGenericType(flag.Kind.Element), items);
    }

    private static object? Parse(Flag flag, string text, Type type)
    {
        var invariant = CultureInfo.InvariantCulture;
        object? value = type switch
        {
            _ when type == typeof(string) => text,
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, invariant, out var v) ? v : null,
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, invariant, out var v) ? v : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, invariant, out var v) ? v : null,
            _ when type == typeof(float) => float.TryParse(text, NumberStyles.Float, invariant, out var v) ? v : null,
            _ when type == typeof(bool) => bool.TryParse(text, out var v) ? v : null,
            _ when type.IsEnum => Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)
                                                                         || KebabCase(n) == text) is { } n ? Enum.Parse(type, n) : null,
            _ => null,
        };
        return value ?? throw new ScriptArgumentException(
            $"Script argument {flag.Name} expects {ValueKind.Expected(type)}, got {LogText.Quote(text)}.");
    }

    private static object? Normalise(object? value, Type type)
    {
        // Optional parameters of enum or nullable types report their default as the underlying value or DBNull.
        if (value is null or DBNull) return null;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsEnum && value.GetType() != target ? Enum.ToObject(target, value) : value;
    }

    private static string Format(object? value) => value switch
    {
        null => "none",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        Enum e => KebabCase(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? "",
    };

    private sealed record Flag(string Name, PropertyInfo Property, ParameterInfo? Parameter, ValueKind Kind, bool Required,
        object? Default, string Description);

    /// <summary>What a property holds: one value or a list, of an element type.</summary>
    private sealed record ValueKind(Type Element, bool IsList)
    {
        public static ValueKind? Of(Type type)
        {
            if (Scalar(type) is { } scalar) return new ValueKind(scalar, false);
            Type? element = type.IsArray ? type.GetElementType()
                : type.IsGenericType && type.GetGenericTypeDefinition() is var g &&
                  (g == typeof(List<>) || g == typeof(IReadOnlyList<>) || g == typeof(IReadOnlyCollection<>) || g == typeof(IEnumerable<>) || g == typeof(IList<>))
                    ? type.GetGenericArguments()[0]
                    : null;
            return element is not null && Scalar(element) is { } item && Nullable.GetUnderlyingType(element) is null ? new ValueKind(item, true) : null;
        }

        public string Display => IsList ? Name(Element) + "..." : Name(Element);

        /// <summary>"an integer", "a number", "true or false", "one of kmeans, hdbscan": what a bad value is told.</summary>
        public static string Expected(Type type) => type switch
        {
            _ when type == typeof(int) || type == typeof(long) => $"an integer ({Name(type)})",
            _ when type == typeof(double) || type == typeof(float) => $"a number ({Name(type)})",
            _ when type == typeof(bool) => "true or false",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(KebabCase)),
            _ => "a " + Name(type),
        };

        public static string Name(Type type) => type switch
        {
            _ when type == typeof(int) => "int",
            _ when type == typeof(long) => "long",
            _ when type == typeof(double) => "double",
            _ when type == typeof(float) => "float",
            _ when type == typeof(bool) => "bool",
            _ when type == typeof(string) => "string",
            _ when type.IsEnum => string.Join("|", Enum.GetNames(type).Select(KebabCase)),
            _ => type.Name,
        };

        private static Type? Scalar(Type type)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            return t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float) || t == typeof(bool)
                   || t == typeof(string) || t.IsEnum
                ? t
                : null;
        }
    }
}
