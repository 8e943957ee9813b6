using System.Text.RegularExpressions;
using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>The checks of one plugin kind, run on an instance created with the base options.</summary>
internal abstract class KindChecks(PluginUnderTest plugin)
{
    protected PluginUnderTest Plugin { get; } = plugin;

    protected ConformanceOptions Settings => Plugin.Settings;

    public static KindChecks For(PluginUnderTest plugin, object instance) => plugin.Declaration.Kind switch
    {
        PluginKind.Embedder => new EmbedderChecks(plugin, (IEmbedder)instance),
        PluginKind.Clusterer => new ClustererChecks(plugin, (IClusterer)instance),
        PluginKind.Metric => new MetricChecks(plugin, (IMetric)instance),
        PluginKind.Reducer => new ReducerChecks(plugin, (IReducer)instance),
        _ => throw new ArgumentOutOfRangeException(nameof(plugin), plugin.Declaration.Kind, "Unknown plugin kind."),
    };

    /// <summary>Runs a freshly created instance once on a small input (for the bad-option check).</summary>
    public abstract void Exercise(object instance);

    /// <summary>Runs the kind's checks.</summary>
    public abstract void Run(CheckLog log);

    /// <summary>A new instance with the base options and the given seed.</summary>
    protected T Fresh<T>(int? seed = null) => (T)Plugin.Create(Plugin.BaseOptions(), seed);

    /// <summary>Runs the plugin once outside any check, so later checks can compare with it even when the first check is skipped.</summary>
    protected static (T? Result, Exception? Error) Attempt<T>(Func<T> run) where T : class
    {
        try
        {
            return (run(), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    protected static ConformanceFailure Failure(string input, Exception error) =>
        new($"{input} gave {CheckLog.Describe(error)}");

    /// <summary>
    /// Puts <paramref name="value"/> (NaN or an infinity) into row <paramref name="row"/> of <paramref name="data"/> and
    /// requires <paramref name="run"/> to refuse it with an ArgumentException naming the row.
    /// </summary>
    protected string NonFiniteIsRefused(EmbeddingMatrix data, int row, float value, Action<EmbeddingMatrix> run)
    {
        var values = data.ToArray();
        values[row * data.Columns + Math.Min(2, data.Columns - 1)] = value;
        try
        {
            run(EmbeddingMatrix.FromValues(data.Rows, data.Columns, values));
        }
        catch (ArgumentException e)
        {
            CheckLog.Require(Regex.IsMatch(e.Message, $@"\b{row}\b"),
                $"{value} in row {row}: the ArgumentException does not name the row (\"{e.Message}\"); use data.ThrowIfNonFinite(\"{Plugin.Name}\").");
            return $"{value} in row {row} -> ArgumentException naming the row";
        }
        throw new ConformanceFailure($"{value} in row {row} was accepted; non-finite data must give an ArgumentException naming the row.");
    }

    protected static string Format(double value) => value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
}
