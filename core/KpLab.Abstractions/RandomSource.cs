namespace KpLab.Abstractions;

/// <summary>
/// The run's one source of randomness, handed to every plugin the way ML.NET's <c>MLContext(seed)</c> is: a plugin
/// never seeds itself from the clock. Each consumer asks for its own named stream, so a plugin's random numbers depend
/// only on the run seed and the stream name, not on what ran before it.
/// </summary>
public sealed class RandomSource
{
    /// <summary>Creates a source with the given seed.</summary>
    public RandomSource(int seed) => Seed = seed;

    /// <summary>The run seed.</summary>
    public int Seed { get; }

    /// <summary>
    /// A new generator for the stream named <paramref name="stream"/> (e.g. "kmeans.init"). The same seed and name
    /// always give the same sequence, on every platform.
    /// </summary>
    public Random CreateRandom(string stream) => new(DeriveSeed(stream));

    /// <summary>A derived seed for <paramref name="stream"/>, for code that takes an integer seed.</summary>
    public int DeriveSeed(string stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // FNV-1a over the name, mixed with the seed through SplitMix64: stable across processes (unlike string.GetHashCode).
        ulong h = 14695981039346656037UL;
        foreach (var ch in stream)
        {
            h ^= ch;
            h *= 1099511628211UL;
        }
        ulong z = h ^ ((ulong)(uint)Seed * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>A child source for a sub-task (e.g. restart 3 of k-means), itself a deterministic function of this seed.</summary>
    public RandomSource Derive(string stream) => new(DeriveSeed(stream));

    /// <inheritdoc />
    public override string ToString() => $"RandomSource(seed: {Seed})";
}
