using System.Reflection;
using System.Text.RegularExpressions;
using KpLab.Abstractions;

namespace KpLab.Hosting;

/// <summary>What a plugin type declares with <see cref="KpLabPluginAttribute"/>.</summary>
/// <param name="Kind">Embedder, clusterer, metric or reducer (possibly an undefined value: see <see cref="PluginRules.DeclarationProblem"/>).</param>
/// <param name="Name">The script name.</param>
/// <param name="Description">The one-sentence description ("" when none).</param>
public sealed record PluginDeclaration(PluginKind Kind, string Name, string Description);

/// <summary>How the host creates a plugin type: its one public constructor and the options record it takes.</summary>
/// <param name="Constructor">The public constructor the host calls.</param>
/// <param name="OptionsType">The options record the constructor takes, or null when it takes none (<see cref="NoOptions"/>).</param>
public sealed record PluginShape(ConstructorInfo Constructor, Type? OptionsType);

/// <summary>
/// The plugin rules, one set for the host (<see cref="PluginCatalog"/>) and the conformance kit (KpLab.Testing): a
/// public, non-abstract, non-generic class marked <see cref="KpLabPluginAttribute"/> with a lower-case hyphenated name,
/// implementing the interface of its kind, with exactly one public constructor taking at most one options record
/// (deriving <see cref="PluginOptions"/>) and at most one <see cref="PluginContext"/>.
/// </summary>
/// <remarks>
/// The rules read metadata only (custom attribute data, signatures, type names), so they apply equally to a loaded
/// type and to one inspected through a <c>MetadataLoadContext</c>, whose types are not the host's: contract types
/// are matched by full name within KpLab.Abstractions. No plugin code runs.
/// </remarks>
public static partial class PluginRules
{
    private const string ContractsAssembly = "KpLab.Abstractions";

    /// <summary>The <see cref="KpLabPluginAttribute"/> of <paramref name="type"/>, or null when it has none.</summary>
    /// <exception cref="BadImageFormatException">The attribute's data cannot be read.</exception>
    public static PluginDeclaration? Declaration(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var attribute = type.GetCustomAttributesData().FirstOrDefault(a => IsContract(a.AttributeType, nameof(KpLabPluginAttribute)));
        if (attribute is null || attribute.ConstructorArguments.Count != 2) return null;
        var kind = (PluginKind)Convert.ToInt32(attribute.ConstructorArguments[0].Value, System.Globalization.CultureInfo.InvariantCulture);
        var name = attribute.ConstructorArguments[1].Value as string ?? "";
        var description = attribute.NamedArguments.FirstOrDefault(a => a.MemberName == nameof(KpLabPluginAttribute.Description))
            .TypedValue.Value as string ?? "";
        return new PluginDeclaration(kind, name, description);
    }

    /// <summary>Whether <paramref name="name"/> is a valid script name: lower-case letters and digits joined by single hyphens.</summary>
    public static bool IsValidName(string? name) => name is not null && ValidName().IsMatch(name);

    /// <summary>The interface a plugin of <paramref name="kind"/> implements.</summary>
    public static Type InterfaceOf(PluginKind kind) => kind switch
    {
        PluginKind.Embedder => typeof(IEmbedder),
        PluginKind.Clusterer => typeof(IClusterer),
        PluginKind.Metric => typeof(IMetric),
        PluginKind.Reducer => typeof(IReducer),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown plugin kind."),
    };

    /// <summary>
    /// Why <paramref name="type"/> breaks the declaration rules (name, kind, class shape, interface), or null when it
    /// keeps them.
    /// </summary>
    public static string? DeclarationProblem(Type type, PluginDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(declaration);
        if (!IsValidName(declaration.Name))
            return $"its name '{declaration.Name}' is not lower-case letters, digits and single hyphens (e.g. \"hdbscan\", \"use-lite\").";
        if (!Enum.IsDefined(declaration.Kind))
            return $"its kind {declaration.Kind} is not one this host knows.";
        if (!type.IsClass || type.IsAbstract || !type.IsVisible || type.ContainsGenericParameters)
            return "a plugin must be a public, non-abstract, non-generic class.";
        var contract = InterfaceOf(declaration.Kind);
        if (!type.GetInterfaces().Any(i => IsContract(i, contract.Name)))
            return $"it is declared a {declaration.Kind.ToString().ToLowerInvariant()} but does not implement {contract.Name}.";
        return null;
    }

    /// <summary>
    /// How the host would create <paramref name="type"/>, or null with <paramref name="problem"/> saying why it cannot:
    /// exactly one public constructor, taking at most one options record and at most one <see cref="PluginContext"/>.
    /// </summary>
    public static PluginShape? Shape(Type type, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(type);
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length != 1)
        {
            problem = $"it has {constructors.Length} public constructors; a plugin has exactly one, taking any of its options record and a PluginContext.";
            return null;
        }
        Type? options = null;
        var context = false;
        foreach (var parameter in constructors[0].GetParameters())
        {
            var t = parameter.ParameterType;
            if (IsContract(t, nameof(PluginContext)) && !context) context = true;
            else if (IsOptionsRecord(t) && options is null) options = t;
            else
            {
                problem = $"its constructor parameter '{parameter.Name}' ({t.Name}) is not one the host can supply; a plugin " +
                    "constructor takes at most one options record (deriving PluginOptions) and at most one PluginContext.";
                return null;
            }
        }
        problem = null;
        return new PluginShape(constructors[0], options);
    }

    /// <summary>
    /// Checks every rule; returns the declaration and shape, or null with <paramref name="problem"/> set (and
    /// <paramref name="declaration"/> set when the type is marked as a plugin but breaks a rule).
    /// </summary>
    public static PluginShape? Check(Type type, out PluginDeclaration? declaration, out string? problem)
    {
        declaration = Declaration(type);
        if (declaration is null)
        {
            problem = $"{type.FullName} has no [KpLabPlugin] attribute.";
            return null;
        }
        problem = DeclarationProblem(type, declaration);
        return problem is null ? Shape(type, out problem) : null;
    }

    /// <summary>The arguments for <paramref name="shape"/>'s constructor: the options record and/or the context, in its order.</summary>
    public static object[] ConstructorArguments(PluginShape shape, PluginOptions options, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Constructor.GetParameters()
            .Select(p => IsContract(p.ParameterType, nameof(PluginContext)) ? (object)context : options)
            .ToArray();
    }

    private static bool IsOptionsRecord(Type type)
    {
        if (type.IsAbstract) return false;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (IsContract(t, nameof(PluginOptions))) return true;
        return false;
    }

    /// <summary>
    /// The row record type a metric declares by implementing <see cref="IMetric{TRow}"/>, or null when it declares none
    /// (a plain <see cref="IMetric"/>). Reads the type's interfaces only, so it works on an inspected type.
    /// </summary>
    public static Type? MetricRowType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && IsContract(i.GetGenericTypeDefinition(), "IMetric`1"))
            ?.GetGenericArguments()[0];
    }

    /// <summary>Whether <paramref name="type"/> is the contracts' type named <paramref name="name"/>, by identity or, for inspected types, by name.</summary>
    private static bool IsContract(Type type, string name) =>
        type.FullName == $"KpLab.Abstractions.{name}" && type.Assembly.GetName().Name == ContractsAssembly;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();
}
