using System.Collections.Concurrent;

namespace KpLab.Scripting;

/// <summary>
/// The plugin calls a run has in flight (e.g. "clusterer hdbscan: Fit"), so that a run ended by plugin code
/// (<c>Environment.Exit</c>, an exception on its own thread, a signal while it works) is recorded with the call that
/// was running. Scripts may call plugins from several threads, so every call in flight is kept, in start order.
/// </summary>
internal sealed class PluginCalls
{
    private readonly ConcurrentDictionary<long, string> _running = new();
    private long _next;
    private Failure? _lastFailure;

    /// <summary>The calls in flight, oldest first, joined with "; ", or null when none is.</summary>
    public string? Running
    {
        get
        {
            var calls = _running.OrderBy(c => c.Key).Select(c => c.Value).ToArray();
            return calls.Length == 0 ? null : string.Join("; ", calls);
        }
    }

    /// <summary>Runs <paramref name="call"/> as the plugin call <paramref name="description"/>.</summary>
    public T Run<T>(string description, Func<T> call)
    {
        long id = Interlocked.Increment(ref _next);
        _running[id] = description;
        try
        {
            return call();
        }
        catch (Exception e) when (Failed(description, e))
        {
            throw; // not reached: the filter only notes the call while the stack is intact
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    /// <summary>The plugin call <paramref name="exception"/> (or one it wraps) came out of, or null.</summary>
    public string? FailedCall(Exception exception)
    {
        var failure = Volatile.Read(ref _lastFailure);
        for (var e = exception; e is not null && failure is not null; e = e.InnerException)
            if (ReferenceEquals(e, failure.Exception)) return failure.Call;
        return null;
    }

    private bool Failed(string description, Exception exception)
    {
        // Innermost first: a plugin call made inside another (a caching embedder's inner Embed) names the inner one.
        if (!ReferenceEquals(Volatile.Read(ref _lastFailure)?.Exception, exception))
            Volatile.Write(ref _lastFailure, new Failure(description, exception));
        return false;
    }

    private sealed record Failure(string Call, Exception Exception);
}
