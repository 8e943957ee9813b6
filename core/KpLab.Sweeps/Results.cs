using System.Collections;
using KpLab.Abstractions;

namespace KpLab.Sweeps;

/// <summary>
/// A sweep's tidy results: every <see cref="ResultRow"/> of every trial, in trial order, with the trials' partitions.
/// Filter with <see cref="Where"/> or <see cref="For"/>, group with <see cref="GroupBy{TKey}"/> and aggregate (mean with
/// a seeded bootstrap interval, paired differences), or <see cref="Pivot{TKey}"/> to a wide table.
/// </summary>
public sealed class Results : IReadOnlyList<ResultRow>
{
    private readonly IReadOnlyList<ResultRow> _rows;
    private readonly IReadOnlyDictionary<string, int[]> _partitions;

    /// <summary>Creates results from rows and the trials' partition labels (by trial id).</summary>
    public Results(IReadOnlyList<Trial> trials, IReadOnlyList<ResultRow> rows, IReadOnlyDictionary<string, int[]> partitions)
    {
        Trials = trials;
        _rows = rows;
        _partitions = partitions;
    }

    /// <summary>The trials, in order.</summary>
    public IReadOnlyList<Trial> Trials { get; }

    /// <inheritdoc />
    public int Count => _rows.Count;

    /// <inheritdoc />
    public ResultRow this[int index] => _rows[index];

    /// <summary>
    /// The rows of the resample trials (<see cref="Sweep.Resamples"/>), each marked with its
    /// <see cref="ResultRow.Resample"/>, with their trials and partitions; empty when the sweep asked for none. They are
    /// not among these results' own rows, so no aggregate of whole units mixes them in.
    /// </summary>
    public Results Resamples
    {
        get => field ??= new Results([], [], new Dictionary<string, int[]>());
        init;
    }

    /// <summary>
    /// MTEB-style stability of the resample rows (<see cref="Resamples"/>): per embedder × clusterer × metric, the mean
    /// and std (ddof = 0) of the score over each unit's resamples, averaged over units (<see cref="ResampleStability"/>).
    /// </summary>
    public IReadOnlyList<StabilitySummary> Stability() => ResampleStability.Summarize(StabilityByUnit());

    /// <summary>Per unit, clusterer configuration, seed and metric: mean and std (ddof = 0) of the score over the unit's resamples.</summary>
    public IReadOnlyList<UnitStability> StabilityByUnit() => ResampleStability.ByUnit(_rows.Concat(Resamples));

    /// <summary>The rows that satisfy <paramref name="predicate"/> (same trials and partitions); the resample rows are filtered alike.</summary>
    public Results Where(Func<ResultRow, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var rows = _rows.Where(predicate).ToArray();
        return Resamples.Count == 0 ? new Results(Trials, rows, _partitions) : new Results(Trials, rows, _partitions) { Resamples = Resamples.Where(predicate) };
    }

    /// <summary>The rows of <paramref name="metric"/>'s <paramref name="statistic"/> (its headline value by default).</summary>
    public Results For(string metric, string statistic = ResultRow.HeadlineStatistic) =>
        Where(r => r.Metric == metric && r.Statistic == statistic);

    /// <summary>Groups rows by <paramref name="key"/> (an anonymous object or record), in order of first appearance.</summary>
    public Grouping<TKey> GroupBy<TKey>(Func<ResultRow, TKey> key) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        return new Grouping<TKey>(_rows.GroupBy(key).Select(g => (g.Key, (IReadOnlyList<ResultRow>)g.ToArray())).ToArray());
    }

    /// <summary>
    /// A wide table: one row per distinct <paramref name="row"/> key (its properties become the first columns), one
    /// column per distinct <paramref name="column"/> text (in order of first appearance), each cell the one value there.
    /// </summary>
    /// <exception cref="InvalidOperationException">Two rows fall into one cell (the message names them): refine the keys.</exception>
    public ResultTable Pivot<TKey>(string name, Func<ResultRow, TKey> row, Func<ResultRow, string> column) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(column);
        var columns = new List<string>();
        var cells = new Dictionary<TKey, Dictionary<string, ResultRow>>();
        var order = new List<TKey>();
        foreach (var r in _rows)
        {
            var key = row(r);
            var col = column(r);
            if (!columns.Contains(col)) columns.Add(col);
            if (!cells.TryGetValue(key, out var line))
            {
                cells[key] = line = [];
                order.Add(key);
            }
            if (!line.TryAdd(col, r))
                throw new InvalidOperationException(
                    $"Pivot '{name}': two rows fall into the cell ({key}, {col}): {line[col]} and {r}. Add what tells them apart to the row key.");
        }
        var keyColumns = TypedColumns.For(typeof(TKey));
        return new ResultTable(name, [.. keyColumns.Names, .. columns],
            order.Select(k => (IReadOnlyList<object?>)[.. keyColumns.Values(k), .. columns.Select(c => cells[k].TryGetValue(c, out var v) ? (object?)v.Value : null)]));
    }

    /// <summary>The partition trial <paramref name="trial"/> found (labels only; -1 is noise).</summary>
    /// <exception cref="ArgumentException">The trial has no partition (a unit-metrics trial) or is not in these results.</exception>
    public Partition PartitionOf(Trial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return _partitions.TryGetValue(trial.Id, out var labels)
            ? new Partition(labels)
            : throw new ArgumentException($"Trial {trial} has no partition in these results.", nameof(trial));
    }

    /// <summary>The rows as a long table (one column per <see cref="ResultRow"/> member).</summary>
    public ResultTable ToTable(string name) => TypedColumns.Table(name, _rows);

    /// <inheritdoc />
    public IEnumerator<ResultRow> GetEnumerator() => _rows.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Result rows grouped by a key, in order of first appearance; aggregate with <see cref="Mean"/> or <see cref="PairedDifferences"/>.</summary>
/// <typeparam name="TKey">The key (an anonymous object or record whose properties become table columns).</typeparam>
public sealed class Grouping<TKey> where TKey : notnull
{
    internal Grouping(IReadOnlyList<(TKey Key, IReadOnlyList<ResultRow> Rows)> groups) => Groups = groups;

    /// <summary>The groups.</summary>
    public IReadOnlyList<(TKey Key, IReadOnlyList<ResultRow> Rows)> Groups { get; }

    /// <summary>
    /// Each group's mean value with a percentile bootstrap interval. The resamples of a group are drawn from the stream
    /// named after its key, so a group's interval does not depend on which other groups exist or their order.
    /// </summary>
    public IReadOnlyList<GroupMean<TKey>> Mean(RandomSource random, int resamples = 2000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Groups.Select(g => new GroupMean<TKey>(g.Key,
            Bootstrap.Mean(g.Rows.Select(r => r.Value), Seed(random, $"mean {g.Key}"), resamples, level))).ToArray();
    }

    /// <summary>
    /// Within each group, paired differences <paramref name="reference"/> minus each other level: rows are paired by
    /// <paramref name="pairBy"/> (e.g. the unit, embedder and clusterer: one pair per question), and the difference is
    /// taken within a pair only where both levels have a finite value. Gives the mean difference with a bootstrap
    /// interval over pairs and the sign count.
    /// </summary>
    /// <param name="level">The level of a row (e.g. its expert label).</param>
    /// <param name="reference">The level every other is compared with (e.g. "correct").</param>
    /// <param name="pairBy">What makes rows a pair.</param>
    /// <param name="random">The run's random source.</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="level95">Interval level.</param>
    /// <exception cref="InvalidOperationException">A pair has two rows of one level (refine <paramref name="pairBy"/>).</exception>
    public IReadOnlyList<PairedDifference<TKey>> PairedDifferences<TPair>(Func<ResultRow, string?> level, string reference,
        Func<ResultRow, TPair> pairBy, RandomSource random, int resamples = 2000, double level95 = 0.95) where TPair : notnull =>
        Compare(level, reference, pairBy, random, resamples, level95).Select(c => c.Difference).ToArray();

    /// <summary>
    /// <see cref="PairedDifferences{TPair}"/> with a test: each comparison also carries the two-sided Wilcoxon
    /// signed-rank test of its differences (<see cref="WilcoxonSignedRank"/>, SciPy's defaults: zero differences
    /// dropped) and its p-value Holm-adjusted (<see cref="HolmCorrection"/>) across every comparison this call returns
    /// (every group × level). To correct across the comparisons of a whole report, adjust their union again with
    /// <see cref="PairedTests.Holm{TKey}"/>. A comparison with no non-zero difference has no test: its p-values are NaN
    /// (SciPy refuses all-zero differences) and it is left out of the correction.
    /// </summary>
    /// <param name="level">The level of a row (e.g. its expert label).</param>
    /// <param name="reference">The level every other is compared with (e.g. "correct").</param>
    /// <param name="pairBy">What makes rows a pair (e.g. the unit: one pair per question).</param>
    /// <param name="random">The run's random source (for the bootstrap interval).</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="level95">Interval level.</param>
    /// <exception cref="InvalidOperationException">A pair has two rows of one level (refine <paramref name="pairBy"/>).</exception>
    public IReadOnlyList<PairedTest<TKey>> PairedTests<TPair>(Func<ResultRow, string?> level, string reference,
        Func<ResultRow, TPair> pairBy, RandomSource random, int resamples = 2000, double level95 = 0.95) where TPair : notnull =>
        Compare(level, reference, pairBy, random, resamples, level95).Select(c => PairedTest<TKey>.Of(c.Difference, c.Values)).ToArray().Holm();

    private IEnumerable<(PairedDifference<TKey> Difference, List<double> Values)> Compare<TPair>(Func<ResultRow, string?> level,
        string reference, Func<ResultRow, TPair> pairBy, RandomSource random, int resamples, double level95) where TPair : notnull
    {
        ArgumentNullException.ThrowIfNull(random);
        return Differences(level, reference, pairBy).Select(c => (new PairedDifference<TKey>(c.Key, reference, c.Level,
            Bootstrap.Mean(c.Differences, Seed(random, $"paired {c.Key} {reference} - {c.Level}"), resamples, level95),
            c.Differences.Count(x => x > 0), c.Differences.Count(x => x < 0), c.Differences.Count(x => x == 0)), c.Differences)).ToArray();
    }

    private List<(TKey Key, string Level, List<double> Differences)> Differences<TPair>(Func<ResultRow, string?> level, string reference,
        Func<ResultRow, TPair> pairBy) where TPair : notnull
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(pairBy);
        var result = new List<(TKey, string, List<double>)>();
        foreach (var (key, rows) in Groups)
        {
            var differences = new Dictionary<string, List<double>>();
            var levels = new List<string>();
            foreach (var pair in rows.GroupBy(pairBy))
            {
                var byLevel = new Dictionary<string, double>();
                foreach (var r in pair)
                {
                    var l = level(r) ?? throw new InvalidOperationException($"PairedDifferences: row {r} has no level.");
                    if (!byLevel.TryAdd(l, r.Value))
                        throw new InvalidOperationException($"PairedDifferences: pair {pair.Key} has two rows of level '{l}'; add what tells them apart to pairBy.");
                    if (l != reference && !levels.Contains(l)) levels.Add(l);
                }
                if (!byLevel.TryGetValue(reference, out var referenceValue) || !double.IsFinite(referenceValue)) continue;
                foreach (var (l, v) in byLevel)
                    if (l != reference && double.IsFinite(v))
                        (differences.TryGetValue(l, out var list) ? list : differences[l] = []).Add(referenceValue - v);
            }
            foreach (var l in levels) result.Add((key, l, differences.GetValueOrDefault(l) ?? []));
        }
        return result;
    }

    private static ulong Seed(RandomSource random, string stream) => Bootstrap.StreamSeed(random, stream);
}

/// <summary>A group's mean with its bootstrap interval.</summary>
/// <param name="Key">The group.</param>
/// <param name="Estimate">Mean, interval and count.</param>
public sealed record GroupMean<TKey>(TKey Key, Estimate Estimate)
{
    /// <summary>The mean.</summary>
    public double Mean => Estimate.Mean;

    /// <summary>Lower end of the interval.</summary>
    public double Low => Estimate.Low;

    /// <summary>Upper end of the interval.</summary>
    public double High => Estimate.High;

    /// <summary>How many finite values.</summary>
    public int Count => Estimate.Count;
}

/// <summary>Paired differences reference − level within one group.</summary>
/// <param name="Key">The group.</param>
/// <param name="Reference">The reference level.</param>
/// <param name="Level">The level compared with it.</param>
/// <param name="Estimate">Mean difference over pairs with its bootstrap interval; Count = pairs.</param>
/// <param name="Positive">Pairs where the reference is larger.</param>
/// <param name="Negative">Pairs where the reference is smaller.</param>
/// <param name="Ties">Pairs where they are equal.</param>
public sealed record PairedDifference<TKey>(TKey Key, string Reference, string Level, Estimate Estimate, int Positive, int Negative, int Ties)
{
    /// <summary>The mean difference.</summary>
    public double Mean => Estimate.Mean;

    /// <summary>Lower end of the interval.</summary>
    public double Low => Estimate.Low;

    /// <summary>Upper end of the interval.</summary>
    public double High => Estimate.High;

    /// <summary>Pairs.</summary>
    public int Count => Estimate.Count;
}

/// <summary>
/// Paired differences reference − level within one group, with the two-sided Wilcoxon signed-rank test of the
/// differences and its Holm-adjusted p-value.
/// </summary>
/// <param name="Key">The group.</param>
/// <param name="Reference">The reference level.</param>
/// <param name="Level">The level compared with it.</param>
/// <param name="Estimate">Mean difference over pairs with its bootstrap interval; Count = pairs.</param>
/// <param name="Positive">Pairs where the reference is larger.</param>
/// <param name="Negative">Pairs where the reference is smaller.</param>
/// <param name="Ties">Pairs where they are equal (dropped by the test).</param>
/// <param name="Statistic">The Wilcoxon statistic min(R+, R−) (NaN without a test).</param>
/// <param name="PValue">The two-sided Wilcoxon p-value (NaN without a test).</param>
/// <param name="Method">Exact or normal approximation (None without a test).</param>
/// <param name="HolmP">The p-value Holm-adjusted across the comparisons it was corrected with (NaN without a test).</param>
public sealed record PairedTest<TKey>(TKey Key, string Reference, string Level, Estimate Estimate, int Positive, int Negative, int Ties,
    double Statistic, double PValue, WilcoxonMethod Method, double HolmP)
{
    /// <summary>The mean difference.</summary>
    public double Mean => Estimate.Mean;

    /// <summary>Lower end of the interval.</summary>
    public double Low => Estimate.Low;

    /// <summary>Upper end of the interval.</summary>
    public double High => Estimate.High;

    /// <summary>Pairs.</summary>
    public int Count => Estimate.Count;

    /// <summary>The test of <paramref name="differences"/> (those of <paramref name="difference"/>), not yet corrected (HolmP = PValue).</summary>
    internal static PairedTest<TKey> Of(PairedDifference<TKey> difference, IReadOnlyList<double> differences)
    {
        var test = differences.Any(d => d != 0)
            ? WilcoxonSignedRank.Test(differences)
            : new WilcoxonResult(double.NaN, double.NaN, WilcoxonMethod.None, 0, differences.Count);
        return new PairedTest<TKey>(difference.Key, difference.Reference, difference.Level, difference.Estimate, difference.Positive,
            difference.Negative, difference.Ties, test.Statistic, test.PValue, test.Method, test.PValue);
    }
}

/// <summary>Multiple-comparison correction of <see cref="PairedTest{TKey}"/> sets.</summary>
public static class PairedTests
{
    /// <summary>
    /// <paramref name="tests"/> with <see cref="PairedTest{TKey}.HolmP"/> recomputed by <see cref="HolmCorrection"/> across
    /// all of them (e.g. the density and the F1 comparisons of one report), in the input order.
    /// </summary>
    public static IReadOnlyList<PairedTest<TKey>> Holm<TKey>(this IEnumerable<PairedTest<TKey>> tests)
    {
        ArgumentNullException.ThrowIfNull(tests);
        var list = tests.ToArray();
        var adjusted = HolmCorrection.Adjust(list.Select(t => t.PValue).ToArray());
        return list.Select((t, i) => t with { HolmP = adjusted[i] }).ToArray();
    }
}
