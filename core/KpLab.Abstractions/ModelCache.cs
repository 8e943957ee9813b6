using System.Collections.Concurrent;

namespace KpLab.Abstractions;

/// <summary>
/// Keeps large loaded models (word-vector stores, transformer weights, inference sessions) once per process, so that
/// several plugin instances, experiments or threads share one copy. An entry is keyed by its type and a string the
/// plugin chooses (a content hash or a full path); it is loaded once, by the first caller, while concurrent callers for
/// the same key wait for that load. A load that throws is not remembered: the next call tries again.
/// </summary>
public sealed class ModelCache
{
    private readonly ConcurrentDictionary<(Type Type, string Key), Lazy<object>> _entries = new();

    /// <summary>The process-wide cache that <see cref="PluginContext.Models"/> hands out by default.</summary>
    public static ModelCache Shared { get; } = new();

    /// <summary>Models held now.</summary>
    public int Count => _entries.Count(entry => entry.Value.IsValueCreated);

    /// <summary>
    /// The model of type <typeparamref name="T"/> stored under <paramref name="key"/>, loaded by
    /// <paramref name="load"/> if no caller has loaded it yet (exactly once per key, even under concurrent calls).
    /// </summary>
    /// <param name="key">What identifies the model's content, e.g. a hash of its files.</param>
    /// <param name="load">Loads the model; its exceptions reach the caller and leave no entry behind.</param>
    public T GetOrLoad<T>(string key, Func<T> load) where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(load);
        var slot = (typeof(T), key);
        var lazy = _entries.GetOrAdd(slot, _ => new Lazy<object>(() => load(), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return (T)lazy.Value;
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<(Type, string), Lazy<object>>(slot, lazy));
            throw;
        }
    }

    /// <summary>Drops the model of type <typeparamref name="T"/> under <paramref name="key"/>, disposing it when it is
    /// <see cref="IDisposable"/>; returns whether one was held.</summary>
    public bool Remove<T>(string key) where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_entries.TryRemove((typeof(T), key), out var lazy)) return false;
        if (lazy.IsValueCreated && lazy.Value is IDisposable disposable) disposable.Dispose();
        return true;
    }
}
