namespace KpLab.Kernels;

/// <summary>
/// The one degree of parallelism every kernel uses. The default is all cores; a run may lower it globally
/// (<see cref="MaxDegree"/>) or for the current asynchronous flow only (<see cref="Override"/>), which is what tests
/// use to compare one and two threads side by side.
/// </summary>
public static class KernelParallelism
{
    private static int _global = Environment.ProcessorCount;
    private static readonly AsyncLocal<int> Scoped = new();

    /// <summary>The global degree of parallelism (at least 1). Defaults to <see cref="Environment.ProcessorCount"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegree
    {
        get => Volatile.Read(ref _global);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDegree));
            Volatile.Write(ref _global, value);
        }
    }

    /// <summary>The degree in force for the calling flow: a scoped override if one is active, else <see cref="MaxDegree"/>.</summary>
    public static int Current => Scoped.Value > 0 ? Scoped.Value : MaxDegree;

    /// <summary>Overrides the degree of parallelism for the calling asynchronous flow until the result is disposed.</summary>
    /// <param name="degree">Threads to use, at least 1.</param>
    /// <returns>A scope that restores the previous value when disposed.</returns>
    public static IDisposable Override(int degree)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1, nameof(degree));
        var previous = Scoped.Value;
        Scoped.Value = degree;
        return new Restore(previous);
    }

    /// <summary>Options for <see cref="Parallel"/> loops honouring <see cref="Current"/>.</summary>
    internal static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Current };

    private sealed class Restore(int previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Scoped.Value = previous;
        }
    }
}
