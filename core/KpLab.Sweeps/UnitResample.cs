using KpLab.Abstractions;

namespace KpLab.Sweeps;

/// <summary>
/// One bootstrap resample of a unit, as MTEB's clustering evaluation draws them (<c>rng.choices</c>: with replacement;
/// its docstring says "without", its code draws with): as many rows as the unit has, drawn uniformly with replacement.
/// The draws are SplitMix64 from the 64-bit seed of the stream <c>"resample {unit id} {index}"</c> of the run's random
/// source (<see cref="Bootstrap.StreamSeed"/>), row = ⌊u·n⌋ (<see cref="Bootstrap.ResampleIndices"/>): the same run
/// seed, unit and index always give the same rows, for every embedder and clusterer, so their scores on a resample are
/// paired.
/// </summary>
/// <param name="Index">The resample's number, 0-based.</param>
/// <param name="DrawSeed">The seed of its draws.</param>
public sealed record UnitResample(int Index, ulong DrawSeed)
{
    /// <summary>Resample <paramref name="index"/> of <paramref name="unit"/> under the run's <paramref name="random"/> source.</summary>
    public static UnitResample For(SweepUnit unit, int index, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new UnitResample(index, Bootstrap.StreamSeed(random, $"resample {unit.Id} {index}"));
    }

    /// <summary>The drawn rows of a unit of <paramref name="count"/> rows (indices into the unit, repeats allowed).</summary>
    public int[] Rows(int count) => Bootstrap.ResampleIndices(count, DrawSeed);

    /// <inheritdoc />
    public override string ToString() => $"resample {Index}";
}
