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

    /// <summary>The rows that satisfy <paramref name="predicate"/> (same trials and partitions).</summary>
    public Results Where(Func<ResultRow, bool> predicate) => new(Trials, _rows.Where(predicate).ToArray(), _partitions);

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
        Func<ResultRow, TPair> pairBy, RandomSource random, int resamples = 2000, double level95 = 0.95) where TPair : notnull
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(pairBy);
        ArgumentNullException.ThrowIfNull(random);
        var result = new List<PairedDifference<TKey>>();
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
            foreach (var l in levels)
            {
                var d = differences.GetValueOrDefault(l) ?? [];
                var estimate = Bootstrap.Mean(d, Seed(random, $"paired {key} {reference} - {l}"), resamples, level95);
                result.Add(new PairedDifference<TKey>(key, reference, l, estimate, d.Count(x => x > 0), d.Count(x => x < 0), d.Count(x => x == 0)));
            }
        }
        return result;
    }

    private static ulong Seed(RandomSource random, string stream) =>
        ((ulong)(uint)random.DeriveSeed(stream) << 32) | (uint)random.DeriveSeed(stream + " (low)");
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
