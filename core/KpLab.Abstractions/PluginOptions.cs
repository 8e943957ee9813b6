using System.ComponentModel;

namespace KpLab.Abstractions;

/// <summary>A problem with one option value.</summary>
/// <param name="Option">The option's name as scripts write it, e.g. "minClusterSize".</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record OptionError(string Option, string Message);

/// <summary>
/// Base of every plugin's typed options: a record with a parameterless constructor and <c>init</c> properties that
/// carry their defaults and a <see cref="DescriptionAttribute"/>. Listing plugins runs none of their code, so the host
/// reads defaults from metadata: give them as constant initializers (<c>= 8</c>, <c>= "k-means++"</c>,
/// <c>= Linkage.Ward</c>); anything computed is listed as "(computed)". The host binds it from an anonymous object, a
/// dictionary or YAML (the host's <c>OptionsBinder</c>) and then calls <see cref="Validate"/>, once: a plugin receives
/// options already validated and need not check them again.
/// </summary>
public abstract record PluginOptions
{
    /// <summary>Checks the values together; yields one error per bad option. The default accepts everything.</summary>
    public virtual IEnumerable<OptionError> Validate() => [];
}

/// <summary>The options of a plugin that has none.</summary>
public sealed record NoOptions : PluginOptions;

/// <summary>A bad option: names the plugin, the option and what was expected.</summary>
public sealed class PluginOptionException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public PluginOptionException(string plugin, string option, string problem)
        : base($"Plugin '{plugin}', option '{option}': {problem}")
    {
        Plugin = plugin;
        Option = option;
    }

    /// <summary>The plugin's script name.</summary>
    public string Plugin { get; }

    /// <summary>The option's name.</summary>
    public string Option { get; }
}

/// <summary>How <c>kplab plugins</c> and the conformance kit describe one option.</summary>
/// <param name="Name">The option's name as scripts write it (camelCase).</param>
/// <param name="Type">A readable type name, e.g. "int", "double?", "Linkage (ward|average|complete|single)".</param>
/// <param name="Default">The default value, formatted.</param>
/// <param name="Description">What the option does.</param>
public sealed record OptionDescriptor(string Name, string Type, string Default, string Description);
