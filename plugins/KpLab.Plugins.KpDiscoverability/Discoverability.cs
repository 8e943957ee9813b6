using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Plugins.KpGeometry.Permutations;

namespace KpLab.Plugins.KpDiscoverability;

/// <summary>What discoverability does with predicted noise (label -1).</summary>
public enum DiscoveryNoise
{
    /// <summary>Noise rows stay in each label's size (they count as missed) but never form a candidate cluster.</summary>
    Unmatched,

    /// <summary>Noise rows are dropped before scoring.</summary>
    Exclude,
}

public sealed record DiscoverabilityOptions : PluginOptions
{
    [Description("A label counts as discovered when its best cluster's F1 is at least this, in (0, 1].")]
    public double Threshold { get; init; } = 0.5;

    [Description("Noise (-1): 'unmatched' keeps the rows as missed, 'exclude' drops them.")]
    public DiscoveryNoise Noise { get; init; } = DiscoveryNoise.Unmatched;

    [Description("Label permutations of the size-preserving null of the best-match F1 (f1NullMean/Sd, f1PValue, f1Excess, discoveredAdjusted); 0 skips it (NaN).")]
    public int Permutations { get; init; } = 200;

    [Description("discoveredAdjusted needs the F1's permutation p-value below this, in (0, 1).")]
    public double Alpha { get; init; } = 0.05;

    [Description("Seed of the label permutations; null draws from the run's random source (stream 'discoverability').")]
    public int? Seed { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        if (!(Threshold > 0 && Threshold <= 1)) yield return new OptionError("threshold", $"must be in (0, 1], got {Threshold}");
        if (Permutations < 0) yield return new OptionError("permutations", $"must be at least 0, got {Permutations}");
        if (!(Alpha > 0 && Alpha < 1)) yield return new OptionError("alpha", $"must be in (0, 1), got {Alpha}");
    }
}

/// <summary>One expert label's best-matching clusters and whether it is discovered.</summary>
/// <param name="Label">The expert label.</param>
/// <param name="Size">Rows carrying the label (excluded noise not counted).</param>
/// <param name="Cluster">The cluster with the highest F1 (ties: the lowest label); null when no cluster holds the label.</param>
/// <param name="Precision">Share of that cluster's rows carrying the label.</param>
/// <param name="Recall">Share of the label's rows in that cluster.</param>
/// <param name="F1">Their harmonic mean, 2·|L∩C| / (|L| + |C|).</param>
/// <param name="JaccardCluster">The cluster with the highest Jaccard index |L∩C| / |L∪C|; null when none.</param>
/// <param name="Jaccard">That Jaccard index.</param>
/// <param name="Discovered">Whether <paramref name="F1"/> reaches the threshold (raw: blind to the label's size).</param>
public sealed record DiscoverabilityRow(
    [property: MetricKey] string Label, long Size, int? Cluster, double Precision, double Recall, double F1,
    int? JaccardCluster, double Jaccard, bool Discovered)
{
    /// <summary>Mean of the best-match F1 the label gets under size-preserving label permutations (NaN without permutations).</summary>
    public double F1NullMean { get; init; } = double.NaN;

    /// <summary>Standard deviation (ddof = 1) of that null F1.</summary>
    public double F1NullSd { get; init; } = double.NaN;

    /// <summary>One-sided permutation p-value of <see cref="F1"/>: (1 + #{null F1 ≥ F1}) / (1 + permutations).</summary>
    public double F1PValue { get; init; } = double.NaN;

    /// <summary>Size-adjusted F1: <see cref="F1"/> − <see cref="F1NullMean"/>.</summary>
    public double F1Excess { get; init; } = double.NaN;

    /// <summary>Size-adjusted verdict: <see cref="Discovered"/> and <see cref="F1PValue"/> &lt; alpha; null without permutations.</summary>
    public bool? DiscoveredAdjusted { get; init; }
}

/// <summary>
/// The study's per-profile measure. For each expert label: the cluster with the highest F1 (ties: lowest cluster
/// label) with its precision, recall and F1, the cluster with the highest Jaccard index, and whether the label is
/// discovered (F1 ≥ threshold). Value: the share of labels discovered.
/// <para>Raw F1 grows with a label's size (a label holding most rows matches a big cluster by chance), so it is also
/// read against a size-preserving label-permutation null with the partition fixed (option <c>permutations</c>,
/// default 200; 0 skips it): each permutation π of the scored rows (all rows under noise 'unmatched', the non-noise
/// rows under 'exclude'; seeded Fisher–Yates, option <c>seed</c>) relabels row i with the label of row π[i], every
/// label keeping its size, and the label's best-match F1 is recomputed from the permuted contingency table (O(n) per
/// permutation). <c>f1NullMean</c> and <c>f1NullSd</c> (ddof = 1) summarise the null; <c>f1PValue</c> =
/// (1 + #{null F1 ≥ F1 − 1e-12}) / (1 + permutations), one-sided; <c>f1Excess</c> = F1 − f1NullMean;
/// <c>discoveredAdjusted</c> = F1 ≥ threshold and f1PValue &lt; alpha (default 0.05). Components add
/// <c>discoveredAdjusted</c> (the count; NaN without permutations) and <c>meanF1Excess</c>.</para>
/// </summary>
[KpLabPlugin(PluginKind.Metric, "discoverability", Description = "Per expert label: best-matching cluster by F1 and by Jaccard, precision, recall, whether the label is discovered (F1 >= threshold), and the F1 against a size-preserving label-permutation null (p-value, excess, size-adjusted verdict).")]
public sealed class Discoverability(DiscoverabilityOptions options, PluginContext context) : IMetric<DiscoverabilityRow>
{
    private const string Name = "discoverability";

    public MetricResult<DiscoverabilityRow> Evaluate(EvaluationInput input) => Evaluate(input, permutations: null);

    /// <summary>
    /// The evaluation with the null's permutations given (each a permutation of the scored rows, in row order: all rows
    /// under noise 'unmatched', the non-noise rows under 'exclude'); null draws <see cref="DiscoverabilityOptions.Permutations"/>.
    /// </summary>
    internal MetricResult<DiscoverabilityRow> Evaluate(EvaluationInput input, IEnumerable<int[]>? permutations)
    {
        ArgumentNullException.ThrowIfNull(input);
        var predicted = input.RequirePredicted(Name).Labels;
        var truth = input.RequireTruth(Name);
        int n = input.RequireSameLength(Name);
        if (n == 0) throw new ArgumentException($"Metric '{Name}': the input is empty (0 rows).");

        var table = new Contingency(truth, predicted, options.Noise);
        var labelSizes = table.LabelSizes;
        var observed = table.Best(table.Labels, input.CancellationToken);
        var nulls = NullF1(table, permutations ?? DrawPermutations(table.Labels.Length), input.CancellationToken);

        var rows = new List<DiscoverabilityRow>();
        int discovered = 0, discoveredAdjusted = 0;
        for (int label = 0; label < labelSizes.Length; label++)
        {
            if (labelSizes[label] == 0) continue; // every row of it was excluded noise
            var best = observed[label];
            bool found = best.Cluster >= 0 && best.F1 >= options.Threshold;
            if (found) discovered++;
            var summary = nulls is null ? PermutationNull.None : PermutationNull.Of(best.F1, nulls[label]);
            bool? adjusted = nulls is null ? null : found && summary.PValue < options.Alpha;
            if (adjusted == true) discoveredAdjusted++;
            int? Cluster(int k) => k >= 0 ? table.ClusterLabel(k) : null;
            rows.Add(new DiscoverabilityRow(truth.Names[label], labelSizes[label], Cluster(best.Cluster), best.Precision, best.Recall,
                best.F1, Cluster(best.JaccardCluster), best.Jaccard, found)
            {
                F1NullMean = summary.NullMean, F1NullSd = summary.NullSd, F1PValue = summary.PValue, F1Excess = summary.Excess,
                DiscoveredAdjusted = adjusted,
            });
        }
        return new MetricResult<DiscoverabilityRow>(Name, (double)discovered / rows.Count, rows)
        {
            Components = new Dictionary<string, double>
            {
                ["discovered"] = discovered,
                ["labels"] = rows.Count,
                ["meanBestF1"] = rows.Average(r => r.F1),
                ["discoveredAdjusted"] = nulls is null ? double.NaN : discoveredAdjusted,
                ["meanF1Excess"] = rows.Average(r => r.F1Excess),
            },
        };
    }

    private IEnumerable<int[]>? DrawPermutations(int scored)
    {
        if (options.Permutations == 0) return null;
        var random = options.Seed is int seed ? new Random(seed) : context.Random.CreateRandom(Name);
        return LabelPermutations.Draw(scored, options.Permutations, random);
    }

    /// <summary>Per label code, the best-match F1 under each permutation; null without permutations.</summary>
    private static double[][]? NullF1(Contingency table, IEnumerable<int[]>? permutations, CancellationToken cancellation)
    {
        if (permutations is null) return null;
        int scored = table.Labels.Length;
        var values = Enumerable.Range(0, table.LabelSizes.Length).Select(_ => new List<double>()).ToArray();
        var permuted = new int[scored];
        foreach (var pi in permutations)
        {
            cancellation.ThrowIfCancellationRequested(); // O(n + labels × clusters) per permutation
            if (pi.Length != scored) throw new ArgumentException($"A permutation has {pi.Length} entries for {scored} scored rows.", nameof(permutations));
            for (int i = 0; i < scored; i++) permuted[i] = table.Labels[pi[i]];
            var best = table.Best(permuted, cancellation);
            for (int label = 0; label < values.Length; label++) values[label].Add(best[label].F1);
        }
        return values.Select(v => v.ToArray()).ToArray();
    }

    /// <summary>
    /// The scored rows (noise dropped under 'exclude') as label codes and dense cluster indices (−1 for noise kept as
    /// missed), with each label's size, which no permutation of the labels changes.
    /// </summary>
    private sealed class Contingency
    {
        private readonly int[] _clusters;
        private readonly int[] _clusterLabels;
        private readonly long[] _clusterSizes;

        public Contingency(LabelVector truth, IReadOnlyList<int> predicted, DiscoveryNoise noise)
        {
            var scored = Enumerable.Range(0, predicted.Count).Where(i => !(predicted[i] == -1 && noise == DiscoveryNoise.Exclude)).ToArray();
            Labels = scored.Select(i => truth.Codes[i]).ToArray();
            _clusterLabels = scored.Select(i => predicted[i]).Where(k => k != -1).Distinct().Order().ToArray();
            var index = _clusterLabels.Select((k, j) => (k, j)).ToDictionary(p => p.k, p => p.j);
            _clusters = scored.Select(i => predicted[i] == -1 ? -1 : index[predicted[i]]).ToArray();
            LabelSizes = new long[truth.Names.Count];
            foreach (var code in Labels) LabelSizes[code]++;
            _clusterSizes = new long[_clusterLabels.Length];
            foreach (var k in _clusters) if (k >= 0) _clusterSizes[k]++;
        }

        /// <summary>The scored rows' label codes, in row order.</summary>
        public int[] Labels { get; }

        /// <summary>Scored rows per label code.</summary>
        public long[] LabelSizes { get; }

        public int ClusterLabel(int k) => _clusterLabels[k];

        /// <summary>
        /// Per label code, the best cluster by F1 and by Jaccard under the labelling <paramref name="labels"/> of the
        /// scored rows (ties: the lowest cluster label; cluster −1 when no cluster holds the label).
        /// </summary>
        public Match[] Best(ReadOnlySpan<int> labels, CancellationToken cancellation)
        {
            int clusters = _clusterLabels.Length;
            var overlap = new long[LabelSizes.Length * clusters];
            for (int i = 0; i < labels.Length; i++)
                if (_clusters[i] >= 0) overlap[labels[i] * clusters + _clusters[i]]++;
            var matches = new Match[LabelSizes.Length];
            for (int label = 0; label < matches.Length; label++)
            {
                cancellation.ThrowIfCancellationRequested();
                var best = new Match(-1, 0, 0, 0, -1, 0);
                for (int k = 0; k < clusters; k++)
                {
                    long both = overlap[label * clusters + k], size = _clusterSizes[k];
                    if (both == 0) continue;
                    double f1 = 2.0 * both / (LabelSizes[label] + size);
                    double jaccard = (double)both / (LabelSizes[label] + size - both);
                    if (f1 > best.F1) best = best with { Cluster = k, F1 = f1, Precision = (double)both / size, Recall = (double)both / LabelSizes[label] };
                    if (jaccard > best.Jaccard) best = best with { JaccardCluster = k, Jaccard = jaccard };
                }
                matches[label] = best;
            }
            return matches;
        }
    }

    /// <summary>A label's best clusters (dense indices, −1 for none) and their scores.</summary>
    private readonly record struct Match(int Cluster, double Precision, double Recall, double F1, int JaccardCluster, double Jaccard);
}
