using System.Globalization;

namespace KpLab.Abstractions;

/// <summary>
/// How much memory a plugin may plan to use at its peak. Clusterers and metrics estimate their peak before they allocate
/// and call <see cref="EnsureFits"/>, which refuses with a <see cref="MemoryBudgetExceededException"/> (the estimate,
/// the budget and what to do instead) rather than letting an allocation fail or wake the OOM killer.
/// </summary>
public sealed class MemoryBudget
{
    private readonly long? _bytes;
    private readonly double _fractionOfAvailable;

    private MemoryBudget(long? bytes, double fractionOfAvailable)
    {
        _bytes = bytes;
        _fractionOfAvailable = fractionOfAvailable;
    }

    /// <summary>The default: 75% of the memory available when a plugin checks.</summary>
    public static MemoryBudget Default { get; } = FractionOfAvailable(0.75);

    /// <summary>A fixed budget in bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is not positive.</exception>
    public static MemoryBudget OfBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1L, nameof(bytes));
        return new MemoryBudget(bytes, 0);
    }

    /// <summary>A fixed budget in gigabytes (10⁹ bytes).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gigabytes"/> is not a positive finite number.</exception>
    public static MemoryBudget OfGigabytes(double gigabytes)
    {
        if (!(gigabytes > 0 && double.IsFinite(gigabytes)))
            throw new ArgumentOutOfRangeException(nameof(gigabytes), gigabytes, "A memory budget must be a positive number of GB.");
        return new MemoryBudget((long)Math.Min(gigabytes * 1e9, long.MaxValue), 0);
    }

    /// <summary>A fraction of the memory available at each check (see <see cref="AvailableBytes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1].</exception>
    public static MemoryBudget FractionOfAvailable(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction of available memory must be in (0, 1].");
        return new MemoryBudget(null, fraction);
    }

    /// <summary>The budget in bytes now.</summary>
    public long Bytes => _bytes ?? (long)(_fractionOfAvailable * AvailableBytes());

    /// <summary>
    /// The memory the process could still obtain: <c>MemAvailable</c> from <c>/proc/meminfo</c> where it exists,
    /// otherwise the runtime's view (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours container
    /// limits) less what the GC heap already holds; the lower of the two when both are known.
    /// </summary>
    public static long AvailableBytes()
    {
        var info = GC.GetGCMemoryInfo();
        long runtime = Math.Max(0, info.TotalAvailableMemoryBytes - info.HeapSizeBytes);
        long? meminfo = ReadMemAvailable();
        return meminfo is { } m ? Math.Min(m, runtime > 0 ? runtime : m) : runtime;
    }

    /// <summary>
    /// Refuses when <paramref name="estimatedBytes"/> exceeds the budget.
    /// </summary>
    /// <param name="plugin">The plugin's name, e.g. "agglomerative".</param>
    /// <param name="estimatedBytes">The estimated peak of what the plugin is about to allocate.</param>
    /// <param name="what">What needs the memory, e.g. "the 100000 x 100000 distance matrix".</param>
    /// <param name="alternative">What the user can do instead (another method, a sample, a larger budget).</param>
    /// <exception cref="MemoryBudgetExceededException">The estimate exceeds the budget.</exception>
    public void EnsureFits(string plugin, long estimatedBytes, string what, string alternative)
    {
        long budget = Bytes;
        if (estimatedBytes <= budget) return;
        throw new MemoryBudgetExceededException(plugin, estimatedBytes, budget,
            $"{plugin}: {what} needs about {Format(estimatedBytes)} at its peak, over the memory budget of {Format(budget)} " +
            $"({Describe()}). {alternative}");
    }

    /// <summary>
    /// Runs <paramref name="body"/> and turns an <see cref="OutOfMemoryException"/> it lets through (an allocation the
    /// estimate missed, or memory taken by other processes meanwhile) into a <see cref="MemoryBudgetExceededException"/>
    /// that says what failed and what to do, so no bare out-of-memory error reaches the user.
    /// </summary>
    /// <param name="plugin">The plugin's name.</param>
    /// <param name="what">What was running, e.g. "ward linkage of 50000 rows".</param>
    /// <param name="body">The work.</param>
    public T Guard<T>(string plugin, string what, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (OutOfMemoryException e)
        {
            long budget = Bytes;
            throw new MemoryBudgetExceededException(plugin, -1, budget,
                $"{plugin}: {what} ran out of memory ({e.Message}) with {Format(AvailableBytes())} available. " +
                "Close other programs, cluster a sample, or lower memoryBudgetGb so that the plugin chooses a leaner method.");
        }
    }

    /// <summary>A byte count for messages, e.g. "3.2 GB".</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
    };

    private string Describe() => _bytes is null
        ? $"{_fractionOfAvailable * 100:0}% of the {Format(AvailableBytes())} available; raise it with the memoryBudgetGb option"
        : "set by the memoryBudgetGb option";

    /// <inheritdoc/>
    public override string ToString() => _bytes is { } b ? Format(b) : $"{_fractionOfAvailable * 100:0}% of available memory";

    private static long? ReadMemAvailable()
    {
        const string path = "/proc/meminfo";
        if (!File.Exists(path)) return null;
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024; // the value is in kB
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}

/// <summary>A plugin refused to start because its estimated peak memory exceeds its <see cref="MemoryBudget"/>.</summary>
public sealed class MemoryBudgetExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public MemoryBudgetExceededException(string plugin, long estimatedBytes, long budgetBytes, string message) : base(message)
    {
        Plugin = plugin;
        EstimatedBytes = estimatedBytes;
        BudgetBytes = budgetBytes;
    }

    /// <summary>The plugin that refused.</summary>
    public string Plugin { get; }

    /// <summary>Its estimated peak in bytes; -1 when an allocation failed despite the estimate.</summary>
    public long EstimatedBytes { get; }

    /// <summary>The budget in bytes at the time of the check.</summary>
    public long BudgetBytes { get; }
}

/// <summary>
/// Options of a plugin that checks its peak memory against a <see cref="MemoryBudget"/>: adds the
/// <c>memoryBudgetGb</c> option that overrides <see cref="PluginContext.MemoryBudget"/>.
/// </summary>
public abstract record MemoryBoundedOptions : PluginOptions
{
    /// <summary>Peak memory in GB (10⁹ bytes) the plugin may plan for; null uses the context's budget.</summary>
    [System.ComponentModel.Description("Peak memory in GB the plugin may plan for before it refuses; unset = 75% of the memory available when it starts.")]
    public double? MemoryBudgetGb { get; init; }

    /// <summary>The budget the option sets, else <paramref name="context"/>'s.</summary>
    public MemoryBudget BudgetIn(PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return MemoryBudgetGb is { } gb ? MemoryBudget.OfGigabytes(gb) : context.MemoryBudget;
    }

    /// <inheritdoc/>
    public override IEnumerable<OptionError> Validate()
    {
        if (MemoryBudgetGb is { } gb && !(gb > 0 && double.IsFinite(gb)))
            yield return new OptionError("memoryBudgetGb", $"must be a positive number of GB, got {gb}");
    }
}
