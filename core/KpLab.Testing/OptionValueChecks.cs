using System.Reflection;
using KpLab.Abstractions;
using KpLab.Hosting;

namespace KpLab.Testing;

/// <summary>Values the kit tries for options: obviously bad ones, and different valid ones.</summary>
internal static class OptionValueChecks
{
    /// <summary>
    /// Tries negative, zero and (for floating-point options) non-finite values on every numeric option. Each must be
    /// refused by the binder with an error that names a real option, or else the plugin must be created and run on a
    /// small input without failing other than with an <see cref="ArgumentException"/>.
    /// </summary>
    public static string BadValues(PluginUnderTest plugin, Action<object> exercise)
    {
        var baseOptions = plugin.BaseOptions();
        var names = plugin.Options.Select(OptionsBinder.OptionName).ToArray();
        var problems = new List<string>();
        int tried = 0, refused = 0, handled = 0;
        foreach (var option in plugin.Options)
        {
            foreach (var value in BadCandidates(option.PropertyType))
            {
                tried++;
                var label = $"{OptionsBinder.OptionName(option)} = {value}";
                PluginOptions bound;
                try
                {
                    bound = plugin.Bind(baseOptions, option, value);
                }
                catch (Exception e) when (e is not PluginOptionException)
                {
                    problems.Add($"{label}: binding or Validate threw {CheckLog.Describe(e)} (Validate yields OptionError, never throws)");
                    continue;
                }
                catch (PluginOptionException refusal)
                {
                    refused++;
                    if (!names.Any(n => Same(n, refusal.Option)))
                        problems.Add($"{label}: the OptionError names '{refusal.Option}', which is not an option (options: {string.Join(", ", names)})");
                    continue;
                }
                try
                {
                    exercise(plugin.Create(bound));
                    handled++;
                }
                catch (ArgumentException)
                {
                    handled++;
                }
                catch (Exception e)
                {
                    problems.Add($"{label}: Validate accepts it but the plugin then throws {CheckLog.Describe(e)} " +
                        "(refuse it in Validate, or handle it)");
                }
            }
        }
        CheckLog.Require(problems.Count == 0, string.Join("; ", problems) + ".");
        return tried == 0
            ? "no numeric options to try bad values on."
            : $"{tried} bad value(s) on numeric options: {refused} refused by Validate, {handled} accepted and handled.";
    }

    /// <summary>
    /// Different valid values for <paramref name="option"/>: those given in
    /// <see cref="ConformanceOptions.OptionVariants"/>, then up to <see cref="ConformanceOptions.MaxVariantsPerOption"/>
    /// invented ones (numbers nearby, the other boolean, other enum members) that the binder accepts.
    /// </summary>
    public static IEnumerable<(object? Value, PluginOptions Options)> Variants(PluginUnderTest plugin, PluginOptions baseOptions,
        PropertyInfo option)
    {
        var current = option.GetValue(baseOptions);
        var name = OptionsBinder.OptionName(option);
        var given = plugin.Settings.OptionVariants.FirstOrDefault(p => Same(p.Key, name)).Value ?? [];
        foreach (var value in given)
            if (plugin.With(baseOptions, option, value, out _) is { } bound) yield return (value, bound);
        int invented = 0;
        foreach (var value in Candidates(option.PropertyType, current))
        {
            if (invented >= plugin.Settings.MaxVariantsPerOption) yield break;
            if (Equals(value, current)) continue;
            if (plugin.With(baseOptions, option, value, out _) is not { } bound) continue;
            invented++;
            yield return (value, bound);
        }
    }

    private static IEnumerable<object?> Candidates(Type type, object? current)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && current is not null) yield return null;
        var t = underlying ?? type;
        if (t == typeof(bool))
        {
            yield return current is bool b ? !b : true;
            yield break;
        }
        if (t.IsEnum)
        {
            foreach (var value in Enum.GetValues(t)) yield return value;
            yield break;
        }
        if (IsInteger(t))
        {
            long c = current is null ? 0 : Convert.ToInt64(current, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var v in new[] { c + 1, 2, c * 2, c - 1, c / 2, 1, 10 }.Distinct())
                if (v != c && FitsIn(v, t)) yield return Convert.ChangeType(v, t, System.Globalization.CultureInfo.InvariantCulture);
            yield break;
        }
        if (t == typeof(double) || t == typeof(float))
        {
            double c = current is null ? 0 : Convert.ToDouble(current, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var v in new[] { c * 2, c / 2, c + 0.5, c - 0.5, 0.5, 1, 2 }.Distinct())
                if (v != c && double.IsFinite(v)) yield return t == typeof(float) ? (float)v : v;
        }
    }

    private static IEnumerable<object> BadCandidates(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (IsInteger(t))
        {
            if (t != typeof(uint) && t != typeof(ulong) && t != typeof(byte)) yield return Convert.ChangeType(-1, t, System.Globalization.CultureInfo.InvariantCulture);
            yield return Convert.ChangeType(0, t, System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (t == typeof(double) || t == typeof(float))
        {
            foreach (var v in new[] { -1.0, 0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                yield return t == typeof(float) ? (float)v : v;
        }
    }

    private static bool IsInteger(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(uint) || t == typeof(ulong);

    private static bool FitsIn(long v, Type t) =>
        t == typeof(int) ? v is >= int.MinValue and <= int.MaxValue
        : t == typeof(short) ? v is >= short.MinValue and <= short.MaxValue
        : t == typeof(byte) ? v is >= 0 and <= byte.MaxValue
        : t == typeof(uint) ? v is >= 0 and <= uint.MaxValue
        : t != typeof(ulong) || v >= 0;

    /// <summary>Option names match as the binder matches them: ignoring case, '-' and '_'.</summary>
    public static bool Same(string a, string b) => Normalize(a) == Normalize(b);

    private static string Normalize(string name) => name.Replace("_", "").Replace("-", "").ToLowerInvariant();
}
