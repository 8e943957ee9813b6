using System.Diagnostics;
using System.Globalization;
using KpLab.Abstractions;

namespace KpLab.Scripting;

/// <summary>
/// Progress reporting for scripts: a live line on stderr (done/total, items/s, ETA) when stderr is a terminal,
/// otherwise an occasional log line, so redirected output stays readable.
/// </summary>
public sealed class LabProgress
{
    private readonly TextWriter _error;
    private readonly bool _live;
    private readonly Action<string> _log;

    internal LabProgress(TextWriter error, bool live, Action<string> log)
    {
        _error = error;
        _live = live;
        _log = log;
    }

    /// <summary>Starts a task of <paramref name="total"/> items; report with <see cref="ProgressTask.Advance"/> or <see cref="ProgressTask.Report(int)"/>, dispose when done.</summary>
    public ProgressTask Start(string task, int total) => new(task, total, _error, _live, _log);

    /// <summary>Yields <paramref name="items"/>, reporting progress as they are consumed.</summary>
    public IEnumerable<T> Track<T>(IReadOnlyCollection<T> items, string task)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var progress = Start(task, items.Count);
        foreach (var item in items)
        {
            yield return item;
            progress.Advance();
        }
    }
}

/// <summary>One task's progress; also usable as an embedder's progress sink.</summary>
public sealed class ProgressTask : IProgress<EmbeddingProgress>, IProgress<int>, IDisposable
{
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QuietBelow = TimeSpan.FromSeconds(2); // short tasks leave no line in logs

    private readonly string _task;
    private readonly TextWriter _error;
    private readonly bool _live;
    private readonly Action<string> _log;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private TimeSpan _lastShown = TimeSpan.Zero;
    private bool _finished;

    internal ProgressTask(string task, int total, TextWriter error, bool live, Action<string> log)
    {
        _task = task;
        Total = Math.Max(0, total);
        _error = error;
        _live = live;
        _log = log;
    }

    /// <summary>Items in the task.</summary>
    public int Total { get; private set; }

    /// <summary>Items done.</summary>
    public int Done { get; private set; }

    /// <summary>Marks <paramref name="items"/> more as done.</summary>
    public void Advance(int items = 1) => Report(Done + items);

    /// <summary>Sets the number of items done.</summary>
    public void Report(int done)
    {
        lock (_gate)
        {
            Done = Math.Max(0, done);
            var now = _watch.Elapsed;
            if (now - _lastShown < (_live ? LiveInterval : LogInterval) && Done < Total) return;
            _lastShown = now;
            Show(final: false);
        }
    }

    /// <inheritdoc />
    public void Report(EmbeddingProgress value)
    {
        if (value.Total > 0) Total = value.Total;
        Report(value.Done);
    }

    /// <summary>Ends the task, printing its final line.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_finished) return;
            _finished = true;
            Show(final: true);
        }
    }

    /// <summary>The progress line, e.g. "embed: 1200/5000 (24.0%) 812 items/s ETA 0:05".</summary>
    public string Describe()
    {
        var seconds = Math.Max(_watch.Elapsed.TotalSeconds, 1e-9);
        var rate = Done / seconds;
        var text = Total > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{_task}: {Done}/{Total} ({100.0 * Done / Total:F1}%) {rate:F0} items/s")
            : string.Create(CultureInfo.InvariantCulture, $"{_task}: {Done} {rate:F0} items/s");
        if (Total > 0 && Done < Total && rate > 0)
            text += " ETA " + TimeSpan.FromSeconds(Math.Ceiling((Total - Done) / rate)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
        else if (Done >= Total && Total > 0)
            text += string.Create(CultureInfo.InvariantCulture, $" in {_watch.Elapsed.TotalSeconds:F1} s");
        return text;
    }

    private void Show(bool final)
    {
        if (_live)
        {
            _error.Write("\r\u001b[2K" + Describe());
            if (final) _error.WriteLine();
            _error.Flush();
        }
        else if (Done < Total || (final && _watch.Elapsed >= QuietBelow))
            _log(Describe());
    }
}
