using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Pca;

/// <summary>Options of the <c>pca</c> reducer.</summary>
public sealed record PcaOptions : PluginOptions
{
    [Description("Number of principal components kept (scikit-learn's n_components), at least 1 and at most min(rows, columns).")]
    public int Components { get; init; } = 2;

    [Description("Divide each component by its standard deviation so the reduced columns have unit variance (scikit-learn's whiten).")]
    public bool Whiten { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionError> Validate()
    {
        if (Components < 1) yield return new OptionError("components", $"must be at least 1, got {Components}.");
    }
}
