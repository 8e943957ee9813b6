namespace KpLab.Scripting;

/// <summary>
/// Keeps a running run's <c>run.json</c> current and honest: saves it whenever asked, every few seconds while it
/// changes (so a killed run's log is on disk), and finishes it as <c>failed</c> on every way out of the process that
/// .NET lets it see (an unhandled exception on any thread, <c>Environment.Exit</c>, process exit after a signal),
/// naming the plugin call that was running.
/// </summary>
internal sealed class RunRecordWriter : IDisposable
{
    /// <summary>How often a changed record is saved while the run goes on (the log reaches disk at least this often).</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    private readonly RunRecord _record;
    private readonly PluginCalls _calls;
    private readonly TextWriter _error;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly Timer _flusher;
    private (int, int, int, int, int, int, int) _saved;
    private int _finished;

    public RunRecordWriter(RunRecord record, string path, PluginCalls calls, TextWriter error)
    {
        _record = record;
        Path = path;
        _calls = calls;
        _error = error;
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        // No signal handlers of its own: the command line's (SIGINT/SIGTERM: cancel, then exit 130/143) must stay the
        // only ones, and disposing a registration from the signal's own callback chain can deadlock.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        _flusher = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    /// <summary>The record's file.</summary>
    public string Path { get; }

    /// <summary>Saves the record now.</summary>
    public void Save()
    {
        lock (_record.Gate)
        {
            _record.Save(Path);
            _saved = Signature();
        }
    }

    /// <summary>Stops flushing and watching the process: the caller finishes and saves the record itself.</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        using var stopped = new ManualResetEvent(false);
        // Wait for a flush in progress, so it cannot overwrite the final record after the caller saved it.
        if (_flusher.Dispose(stopped)) stopped.WaitOne();
    }

    /// <summary>The run ended without the runner seeing it end: record it as failed, once, if it is still running.</summary>
    internal void FinishAbnormally(string type, string message, string stackTrace, int? exitCode)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        var call = _calls.Running;
        // Another thread may hold the gate forever (the plugin that called Environment.Exit might be inside Lab.Log):
        // then the record is finished without it rather than hanging the exit.
        if (!_record.Gate.TryEnter(TimeSpan.FromSeconds(2))) return;
        try
        {
            if (_record.Status != RunStatus.Running) return;
            _record.Status = RunStatus.Failed;
            _record.ExitCode = exitCode;
            _record.EndedAt = DateTimeOffset.UtcNow;
            _record.Seconds = Math.Round((_record.EndedAt.Value - _started).TotalSeconds, 3);
            var during = call is null ? "" : $" during {call}";
            _record.Error = new RunError(type, message + during + ".", null, stackTrace) { PluginCall = call };
            _record.Save(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done for the record on the way out; say so at least.
            message += $" (the run record could not be saved: {e.Message})";
        }
        finally
        {
            _record.Gate.Exit();
        }
        TryWriteError($"{message}{(call is null ? "" : $" during {call}")}; run record: {Path}");
    }

    /// <summary>
    /// A second signal ends the process at once: record the run as cancelled (it was asked to stop, and whatever it
    /// finished is kept), once, if it is still running.
    /// </summary>
    internal void FinishForcedCancel(DateTimeOffset? cancelledAt)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        var call = _calls.Running;
        if (!_record.Gate.TryEnter(TimeSpan.FromSeconds(1))) return; // see FinishAbnormally
        try
        {
            // Running, or already recorded as cancelled by the first signal but perhaps not yet saved: save it ended.
            if (_record.Status is not (RunStatus.Running or RunStatus.Cancelled)) return;
            var now = DateTimeOffset.UtcNow;
            if (_record.Status == RunStatus.Running)
            {
                var during = call is null ? "" : $" during {call}";
                _record.Error = new RunError(nameof(OperationCanceledException), $"Ended at once by a second signal{during}.", null, "")
                    { PluginCall = call };
            }
            _record.Status = RunStatus.Cancelled;
            _record.ExitCode = ScriptRunner.Cancelled;
            _record.CancelledAt ??= cancelledAt ?? now;
            _record.EndedAt ??= now;
            _record.Seconds ??= Math.Round((now - _started).TotalSeconds, 3);
            _record.Save(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryWriteError($"the run record could not be saved: {e.Message}");
        }
        finally
        {
            _record.Gate.Exit();
        }
        TryWriteError($"run cancelled at once by a second signal{(call is null ? "" : $" during {call}")}; run record: {Path}");
    }

    private void TryWriteError(string message)
    {
        try
        {
            _error.WriteLine($"kplab: {message}");
            _error.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    private void Flush()
    {
        try
        {
            lock (_record.Gate)
            {
                if (_record.Status != RunStatus.Running || Signature() == _saved) return;
                Save();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next flush or the end of the run tries again; a full disk must not end the run from a timer thread.
        }
    }

    private (int, int, int, int, int, int, int) Signature() =>
        (_record.Log.Count, _record.Tables.Count, _record.Outputs.Count, _record.Exports.Count, _record.Plugins.Count,
            _record.Datasets.Count, _record.Inputs.Count);

    private void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e)
    {
        var exception = e.ExceptionObject as Exception;
        FinishAbnormally(exception?.GetType().FullName ?? "UnhandledException",
            $"unhandled {exception?.GetType().Name ?? "exception"} on a background thread: {exception?.Message}",
            exception?.ToString() ?? "", exitCode: null);
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        int code = Environment.ExitCode;
        var cause = code switch
        {
            130 => "SIGINT",
            143 => "SIGTERM",
            _ => "e.g. Environment.Exit in plugin or script code",
        };
        var message = $"the process exited (exit code {code}: {cause}) before the run finished";
        FinishAbnormally("ProcessExit", message, Environment.StackTrace, code);
    }
}
