using System.Runtime.InteropServices;

namespace KpLab.Scripting;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM for a run in this process: the first requests cancellation (<see cref="Token"/>), so
/// the run stops at its next check, keeps what it finished and is recorded <c>cancelled</c>; a second one ends the
/// process at once with exit code 130, after finishing the run record as <c>cancelled</c>. Replaces the runtime's
/// default (which would kill the process with the record left <c>running</c>) while it is alive.
/// </summary>
public sealed class RunSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action<int> _exit;
    private Action? _finishForcedExit;
    private int _signals;
    private long _firstSignalTicks;

    /// <summary>Listens for SIGINT and SIGTERM until disposed.</summary>
    public RunSignals() : this(Environment.Exit)
    {
    }

    internal RunSignals(Action<int> exit)
    {
        _exit = exit;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>When the first signal came (UTC), or null.</summary>
    internal DateTimeOffset? FirstSignalAt =>
        Interlocked.Read(ref _firstSignalTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>
    /// What to do before the process ends on a second signal (the runner finishes and saves the record); replaced by
    /// each run, cleared with null.
    /// </summary>
    internal void OnForcedExit(Action? finish) => Volatile.Write(ref _finishForcedExit, finish);

    /// <summary>Stops listening: the runtime's default handling applies again.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // never the runtime's default: this class decides how the process ends
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Interlocked.Exchange(ref _firstSignalTicks, DateTimeOffset.UtcNow.UtcTicks);
            // Off the signal thread: cancellation callbacks run plugin and runner code that must not block it.
            ThreadPool.UnsafeQueueUserWorkItem(static source =>
            {
                try { source.Cancel(); }
                catch (ObjectDisposedException) { } // the run ended meanwhile
            }, _cancel, preferLocal: false);
            return;
        }
        try
        {
            Volatile.Read(ref _finishForcedExit)?.Invoke();
        }
        finally
        {
            _exit(ScriptRunner.Cancelled);
        }
    }
}
