using System.Diagnostics;
using System.Globalization;
using KpLab.Abstractions;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KpLab.Scripting;

/// <summary>
/// Progress reporting for scripts: a live Spectre.Console bar on stderr (done/total, items/s, ETA) when stderr is a
/// terminal, otherwise an occasional plain log line, so redirected output stays readable.
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
    private readonly bool _live;
    private readonly Action<string> _log;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly LiveProgressBar? _bar;
    private TimeSpan _lastShown = TimeSpan.Zero;
    private bool _finished;

    internal ProgressTask(string task, int total, TextWriter error, bool live, Action<string> log)
    {
        _task = task;
        Total = Math.Max(0, total);
        _live = live;
        _log = log;
        if (live) _bar = new LiveProgressBar(task, Total, error);
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
            if (_bar is not null)
            {
                _bar.Update(Done, Total); // the bar redraws itself several times a second
                return;
            }
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
            if (_bar is not null)
            {
                _bar.Update(Done, Total);
                _bar.Dispose();
                return;
            }
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
        if (Done < Total || (final && _watch.Elapsed >= QuietBelow))
            _log(Describe());
    }
}

/// <summary>
/// A Spectre.Console progress bar for one task on a terminal: description, bar, done/total, percentage, items/s and
/// time remaining. Spectre renders it on its own schedule while the task reports counts from any thread; disposing
/// draws the final state and leaves it on screen.
/// </summary>
internal sealed class LiveProgressBar : IDisposable
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _rendering;
    private int _done, _total;

    public LiveProgressBar(string name, int total, TextWriter error)
    {
        _total = total;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(error),
        });
        var display = console.Progress();
        display.RefreshRate = TimeSpan.FromMilliseconds(200);
        _rendering = display
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new PercentageColumn(),
                new ItemsPerSecondColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(name), autoStart: true, maxValue: Math.Max(1, total));
                while (true)
                {
                    bool last = _finished.Task.IsCompleted;
                    int t = Volatile.Read(ref _total), d = Volatile.Read(ref _done);
                    task.IsIndeterminate = t == 0;
                    task.MaxValue = Math.Max(1, t);
                    task.Value = Math.Min(d, task.MaxValue);
                    if (last) break;
                    await Task.WhenAny(_finished.Task, Task.Delay(100)).ConfigureAwait(false);
                }
                task.StopTask();
            });
    }

    /// <summary>Records the counts; the next refresh shows them.</summary>
    public void Update(int done, int total)
    {
        Volatile.Write(ref _total, total);
        Volatile.Write(ref _done, done);
    }

    /// <summary>Draws the final state and waits until Spectre has finished writing.</summary>
    public void Dispose()
    {
        _finished.TrySetResult();
        _rendering.GetAwaiter().GetResult();
    }

    /// <summary>"done/total".</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, Spectre.Console.ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:F0}/{(task.IsIndeterminate ? "?" : task.MaxValue.ToString("F0", CultureInfo.InvariantCulture))}"));
    }

    /// <summary>Spectre's measured speed, in items per second.</summary>
    private sealed class ItemsPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, Spectre.Console.ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Speed ?? 0:F0} items/s"));
    }
}
