namespace KpLab.Abstractions;

/// <summary>The plugin kinds of the imagined contracts 3.0.</summary>
public enum PluginKind
{
    Embedder,
    Clusterer,
    Metric,
    Reducer,
}

/// <summary>The plugin marker of the imagined contracts 3.0.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KpLabPluginAttribute(PluginKind kind, string name) : Attribute
{
    public PluginKind Kind { get; } = kind;

    public string Name { get; } = name;

    public string Description { get; init; } = "";
}

/// <summary>A metric as contracts 3.0 might define it.</summary>
public interface IMetric
{
    double Evaluate(ReadOnlySpan<int> labels);
}
