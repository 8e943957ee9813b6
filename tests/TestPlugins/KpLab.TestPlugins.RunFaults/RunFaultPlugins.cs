using KpLab.Abstractions;

namespace KpLab.TestPlugins.RunFaults;

/// <summary>Ends the whole process from inside Fit, as a careless plugin might.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-exit-in-fit", Description = "Calls Environment.Exit(3) in Fit.")]
public sealed class ExitInFitClusterer : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        Environment.Exit(3);
        return new([]);
    }
}

/// <summary>Throws from Fit.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-throw-in-fit", Description = "Throws in Fit.")]
public sealed class ThrowInFitClusterer : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"cannot cluster {data.Rows} rows");
}

/// <summary>Throws on a thread of its own while Fit waits: the exception is unhandled and ends the process.</summary>
[KpLabPlugin(PluginKind.Clusterer, "test-thread-throws", Description = "A background thread of Fit throws.")]
public sealed class ThreadThrowsClusterer : IClusterer
{
    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        var worker = new Thread(() => throw new InvalidDataException("worker thread failed")) { IsBackground = true };
        worker.Start();
        worker.Join();
        Thread.Sleep(Timeout.Infinite); // not reached: the unhandled exception ends the process
        return new([]);
    }
}

/// <summary>Ends the process from its constructor, i.e. when a script creates it.</summary>
[KpLabPlugin(PluginKind.Metric, "test-exit-in-constructor", Description = "Calls Environment.Exit(5) when created.")]
public sealed class ExitInConstructorMetric : IMetric
{
    public ExitInConstructorMetric() => Environment.Exit(5);

    public MetricResult Evaluate(EvaluationInput input) => new("test-exit-in-constructor", 0);
}
