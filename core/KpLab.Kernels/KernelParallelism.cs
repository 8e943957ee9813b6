namespace KpLab.Kernels;

/// <summary>
/// The degree of parallelism and the cancellation every kernel uses, taken from the calling flow: whoever runs plugin
/// code (the KpLab host, a test, a benchmark) scopes it with <see cref="Override(int, CancellationToken)"/>, so two
/// runs or trials in one process, each in its own asynchronous flow, use their own degree and are cancelled on their
/// own. Outside any scope the kernels use all cores and cannot be cancelled. Long kernel loops (matrix-product tiles,
/// distance matrices, nearest neighbours, spanning trees) check the flow's token between blocks and end with
/// <see cref="OperationCanceledException"/> when it is cancelled.
/// </summary>
public static class KernelParallelism
{
    private static int _global = Environment.ProcessorCount;
    private static readonly AsyncLocal<Scope?> Scoped = new();

    /// <summary>The degree used outside any scope (at least 1). Defaults to <see cref="Environment.ProcessorCount"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    [Obsolete("The degree belongs to the run, not the process: scope the calling flow with KernelParallelism.Override(degree) " +
              "(the KpLab host does this with each plugin's PluginContext.Threads). Setting it changes every flow without a scope.")]
    public static int MaxDegree
    {
        get => Volatile.Read(ref _global);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDegree));
            Volatile.Write(ref _global, value);
        }
    }

    /// <summary>The degree in force for the calling flow: its innermost scope's, else the process default.</summary>
    public static int Current => Scoped.Value?.Degree ?? Volatile.Read(ref _global);

    /// <summary>The cancellation in force for the calling flow: its innermost scope's token, else none.</summary>
    public static CancellationToken Cancellation => Scoped.Value?.Cancellation ?? CancellationToken.None;

    /// <summary>Overrides the degree of parallelism for the calling asynchronous flow until the result is disposed.</summary>
    /// <param name="degree">Threads to use, at least 1.</param>
    /// <returns>A scope that restores the previous value when disposed.</returns>
    /// <remarks>The flow's cancellation (an enclosing scope's token) is kept.</remarks>
    public static IDisposable Override(int degree) => Override(degree, Cancellation);

    /// <summary>
    /// Scopes the calling asynchronous flow (and the tasks it starts) to <paramref name="degree"/> threads and
    /// <paramref name="cancellation"/> until the result is disposed.
    /// </summary>
    /// <param name="degree">Threads to use, at least 1.</param>
    /// <param name="cancellation">Cancels the kernels' long loops in this flow.</param>
    /// <returns>A scope that restores the previous degree and token when disposed.</returns>
    public static IDisposable Override(int degree, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1, nameof(degree));
        var previous = Scoped.Value;
        Scoped.Value = new Scope(degree, cancellation);
        return new Restore(previous);
    }

    /// <summary>Options for <see cref="Parallel"/> loops honouring <see cref="Current"/> and <see cref="Cancellation"/>.</summary>
    internal static ParallelOptions Options() => Options(Current);

    /// <summary>Options for <see cref="Parallel"/> loops with <paramref name="degree"/> threads and the flow's cancellation.</summary>
    internal static ParallelOptions Options(int degree) => new() { MaxDegreeOfParallelism = degree, CancellationToken = Cancellation };

    /// <summary>The token a kernel checks: the caller's own when it can be cancelled, else the flow's.</summary>
    internal static CancellationToken Or(CancellationToken callers) => callers.CanBeCanceled ? callers : Cancellation;

    /// <summary>Throws <see cref="OperationCanceledException"/> when the flow's cancellation was requested.</summary>
    internal static void ThrowIfCancellationRequested() => Cancellation.ThrowIfCancellationRequested();

    private sealed record Scope(int Degree, CancellationToken Cancellation);

    private sealed class Restore(Scope? previous) : IDisposable
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
