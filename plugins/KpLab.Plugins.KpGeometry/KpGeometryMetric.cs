using System.ComponentModel;
using System.Runtime.InteropServices;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry;

public sealed record KpGeometryOptions : PluginOptions
{
    [Description("Nearest neighbours per row (cosine, self excluded, over all rows) for knnAgreement and knnCosine; capped at n - 1.")]
    public int K { get; init; } = 10;

    [Description("Bootstrap resamples for the withinCosine interval; 0 skips the bootstrap (interval NaN).")]
    public int Bootstrap { get; init; } = 1000;

    [Description("Coverage of the percentile bootstrap interval, in (0, 1).")]
    public double Confidence { get; init; } = 0.95;

    [Description("Label permutations of the size-preserving null of correctedCosine (correctedNullMean/Sd, correctedPValue, correctedExcess); 0 skips it (NaN).")]
    public int Permutations { get; init; } = 200;

    [Description("Seed of the bootstrap (stream 1) and the label permutations (stream 2); null draws both from the run's random source (streams 'kp-geometry' and 'kp-geometry.permutations').")]
    public int? Seed { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        if (K < 1) yield return new OptionError("k", $"must be at least 1, got {K}");
        if (Bootstrap < 0) yield return new OptionError("bootstrap", $"must be at least 0, got {Bootstrap}");
        if (!(Confidence > 0 && Confidence < 1)) yield return new OptionError("confidence", $"must be in (0, 1), got {Confidence}");
        if (Permutations < 0) yield return new OptionError("permutations", $"must be at least 0, got {Permutations}");
    }
}

/// <summary>One expert label's geometry in embedding space (see <see cref="KpGeometryMetric"/> for each statistic).</summary>
/// <param name="Label">The expert label.</param>
/// <param name="Size">Rows carrying it.</param>
/// <param name="WithinCosine">Mean cosine over the label's distinct pairs (NaN for a single row).</param>
/// <param name="CentroidCosine">The members' mean cosine to the centroid of their unit rows.</param>
/// <param name="CentroidNorm">The norm of that centroid.</param>
/// <param name="BestCentroidCosine">Cosine of the centroid to the best label's centroid.</param>
/// <param name="KnnAgreement">The members' mean share of their k nearest rows carrying the same label.</param>
/// <param name="KnnCosine">The members' mean cosine to their k nearest rows.</param>
/// <param name="WithinCosineLow">Lower end of the bootstrap interval of <paramref name="WithinCosine"/> (NaN without one).</param>
/// <param name="WithinCosineHigh">Upper end of that interval.</param>
/// <param name="QualityRank">Position in the quality order, 1 = best; null when the label is not ranked.</param>
public sealed record KpGeometryRow(
    [property: MetricKey] string Label, int Size, double WithinCosine, double CentroidCosine, double CentroidNorm,
    double BestCentroidCosine, double KnnAgreement, double KnnCosine, double WithinCosineLow, double WithinCosineHigh,
    int? QualityRank)
{
    /// <summary>The unit's anisotropy baseline A: mean cosine over all its distinct pairs of rows (the same on every label's row).</summary>
    public double AllPairsCosine { get; init; } = double.NaN;

    /// <summary>Anisotropy-corrected density: <see cref="WithinCosine"/> − <see cref="AllPairsCosine"/> (NaN for a single row).</summary>
    public double CorrectedCosine { get; init; } = double.NaN;

    /// <summary>
    /// <see cref="CorrectedCosine"/> / σ_m, σ_m the exact standard deviation of the mean pairwise cosine of m = Size rows
    /// drawn at random without replacement from the unit (NaN for a single row, a label holding the whole unit, or σ_m = 0).
    /// </summary>
    public double CorrectedZ { get; init; } = double.NaN;

    /// <summary><see cref="CorrectedCosine"/> after per-dimension standardisation of the unit's rows.</summary>
    public double StandardizedCorrectedCosine { get; init; } = double.NaN;

    /// <summary><see cref="CorrectedZ"/> after per-dimension standardisation of the unit's rows.</summary>
    public double StandardizedCorrectedZ { get; init; } = double.NaN;

    /// <summary>Mean of <see cref="CorrectedCosine"/> over the label permutations (NaN without permutations).</summary>
    public double CorrectedNullMean { get; init; } = double.NaN;

    /// <summary>Its standard deviation over the permutations (ddof = 1).</summary>
    public double CorrectedNullSd { get; init; } = double.NaN;

    /// <summary>One-sided permutation p-value (1 + #{null ≥ observed}) / (1 + permutations): are the label's rows closer than same-size random sets?</summary>
    public double CorrectedPValue { get; init; } = double.NaN;

    /// <summary>Size-adjusted excess: <see cref="CorrectedCosine"/> − <see cref="CorrectedNullMean"/>.</summary>
    public double CorrectedExcess { get; init; } = double.NaN;
}

/// <summary>
/// The "Anna Karenina" analysis of expert labels in embedding space: are good answers alike and bad answers each bad
/// in their own way? Cosines are taken between unit-normalised rows in float64; a zero row is the zero vector (cosine 0
/// with everything, and it still counts in its label's size and centroid).
/// <para>Rows: one per label (quality order first, then the rest in label order) with <c>size</c>;
/// <c>withinCosine</c>, the mean cosine over the label's distinct pairs i &lt; j (NaN for a single row), with its
/// percentile bootstrap interval <c>withinCosineLow</c>/<c>withinCosineHigh</c> (see <see cref="WithinCosineBootstrap"/>);
/// <c>centroidNorm</c>, the norm of the centroid c of the unit rows; <c>centroidCosine</c>, the members' mean cosine to c
/// (for a centroid of unit vectors this equals |c| identically, computed directly all the same);
/// <c>bestCentroidCosine</c>, the cosine of c to the best label's centroid (QualityOrder[0], or without an order the
/// label with the highest withinCosine); <c>knnAgreement</c> and <c>knnCosine</c>, the members' mean share of their k
/// nearest rows carrying the same label and mean cosine to them; <c>qualityRank</c> (1 = best; NaN when unranked).</para>
/// <para>withinCosine is exact in O(n·d) through Σ_{i≠j} x̂ᵢ·x̂ⱼ = |Σᵢ x̂ᵢ|² − Σᵢ |x̂ᵢ|², i.e. (n|c|² − 1)·n/(n − 1)
/// for unit rows.</para>
/// <para>Anisotropy correction (Ethayarajh 2019: a similarity is read against the same similarity between random
/// rows). With n the unit's rows, m a label's size and W its withinCosine: <c>allPairsCosine</c> A = mean cosine over
/// the unit's C(n, 2) distinct pairs; <c>correctedCosine</c> = W − A; <c>correctedZ</c> = (W − A) / σ_m, where σ_m² is
/// the exact variance of the mean pairwise cosine of m rows drawn uniformly at random without replacement from the
/// unit (whose mean is A): with h_ij = cos(x_i, x_j) − A, Q = Σ_{i&lt;j} h_ij², R = Σ_i (Σ_{j≠i} h_ij)²,
/// p₂ = m(m−1)/(n(n−1)), p₃ = p₂(m−2)/(n−2), p₄ = p₃(m−3)/(n−3) and P = C(m, 2),
/// σ_m² = [p₂·Q + p₃·(R − 2Q) + p₄·(Q − R)] / P². For m = 2 this is the variance of one random pair's cosine; it
/// accounts for the pairs of a set sharing rows, which sd(all pairs)/√P would not. No randomness: the score is exact
/// and reproducible. NaN for m &lt; 2, m = n or σ_m = 0. <c>standardizedCorrectedCosine</c> and
/// <c>standardizedCorrectedZ</c> are the same two after per-dimension standardisation of the unit's rows (Timkey &amp;
/// van Schijndel 2021): z_ij = (x_ij − μ_j) / σ_j with the mean and population standard deviation of dimension j over
/// the unit's raw rows, a dimension constant over the unit set to 0, then cosines of the z rows.</para>
/// <para>Size-preserving label-permutation null (option <c>permutations</c>, default 200; 0 skips it): each
/// permutation π of the rows (seeded Fisher–Yates, see <see cref="Permutations.LabelPermutations"/>) relabels row i
/// with the label of row π[i], so every label keeps its size; the null value of a label is its correctedCosine under
/// the permuted labels (W^π − A; A does not change). <c>correctedNullMean</c> and <c>correctedNullSd</c> (ddof = 1)
/// summarise the null, <c>correctedPValue</c> = (1 + #{null ≥ observed − 1e-12}) / (1 + permutations) is one-sided
/// (is the label denser than same-size random sets of the unit's rows?), <c>correctedExcess</c> = correctedCosine −
/// correctedNullMean. The null mean tends to 0 and its sd to σ_m as permutations grow.</para>
/// <para>Value: Spearman's ρ between quality rank (1 = best) and withinCosine over the ranked labels (negative when
/// better answers are more alike); NaN without a quality order (<see cref="EvaluationInput.QualityOrder"/>, else the one
/// <see cref="LabelVector.QualityOrder"/> of Truth carries; its absence is logged once). Components <c>spearman.&lt;statistic&gt;</c> give ρ for
/// every statistic (labels with a NaN statistic left out; NaN for fewer than two labels or a constant side).</para>
/// </summary>
[KpLabPlugin(PluginKind.Metric, "kp-geometry", Description = "Per expert label: within-label cosine (bootstrap CI), anisotropy-corrected and standardised density with its size-preserving permutation null, centroid norm and cosines, kNN label agreement and density; Spearman correlation of each with answer quality.")]
public sealed class KpGeometryMetric(KpGeometryOptions options, PluginContext context) : IMetric<KpGeometryRow>
{
    private const string Name = "kp-geometry";

    /// <summary>The statistics correlated with quality rank, by column name.</summary>
    internal static readonly (string Name, Func<KpGeometryRow, double> Of)[] Statistics =
    [
        ("withinCosine", r => r.WithinCosine), ("centroidCosine", r => r.CentroidCosine), ("centroidNorm", r => r.CentroidNorm),
        ("bestCentroidCosine", r => r.BestCentroidCosine), ("knnAgreement", r => r.KnnAgreement), ("knnCosine", r => r.KnnCosine),
        ("size", r => r.Size),
    ];

    /// <summary>The random stream of the label permutations (the bootstrap's is <see cref="Name"/>).</summary>
    private const string PermutationStream = "kp-geometry.permutations";

    /// <summary>How the unit's cosines are evaluated (tests force either way).</summary>
    internal CosineMethod CosineMethod { get; init; }

    public MetricResult<KpGeometryRow> Evaluate(EvaluationInput input) => Evaluate(input, permutations: null);

    /// <summary>
    /// The evaluation with the label permutations of the null given (π as <see cref="Permutations.LabelPermutations.Draw"/>
    /// yields them, each of length n), instead of drawn from the seed; null draws <see cref="KpGeometryOptions.Permutations"/>.
    /// </summary>
    internal MetricResult<KpGeometryRow> Evaluate(EvaluationInput input, IEnumerable<int[]>? permutations)
    {
        ArgumentNullException.ThrowIfNull(input);
        var data = input.RequireEmbeddings(Name);
        var truth = input.RequireTruth(Name);
        int n = input.RequireSameLength(Name);
        if (n == 0) throw new ArgumentException($"Metric '{Name}': the input is empty (0 rows).");
        if (data.Columns == 0) throw new ArgumentException($"Metric '{Name}': the embeddings have no columns.");
        data.ThrowIfNonFinite(Name);
        var ranked = QualityCodes(input.QualityOrder, truth);
        if (ranked.Length == 0 && Interlocked.Exchange(ref _toldNoOrder, 1) == 0)
            context.Log($"{Name}: no quality order (neither EvaluationInput.QualityOrder nor the labels' own, e.g. a dataset.yaml's " +
                        "qualityOrder or LoadDataset(..., qualityOrder: [...])), so its value, Spearman's rho with quality, is NaN; the per-label rows are computed.");
        var cancellation = input.CancellationToken;

        var rows = new UnitRows(data);
        int labels = truth.Names.Count, d = data.Columns;
        var members = Enumerable.Range(0, labels).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < n; i++) members[truth.Codes[i]].Add(i);

        var stats = new LabelStatistics[labels];
        var centroids = new double[labels][];
        for (int c = 0; c < labels; c++)
        {
            cancellation.ThrowIfCancellationRequested(); // O(size · d) per label
            var memberRows = members[c].ToArray();
            var centroid = centroids[c] = new double[d];
            double within = rows.MeanPairwiseCosine(memberRows, centroid);
            if (memberRows.Length == 1) rows.AddTo(memberRows[0], 1.0, centroid); // the identity skips a single row
            for (int j = 0; j < d; j++) centroid[j] /= memberRows.Length;
            double norm = Math.Sqrt(WideningSums.Dot(centroid, centroid));
            double toCentroid = 0;
            if (norm > 0) foreach (var i in memberRows) toCentroid += rows.Dot(i, centroid) / norm;
            stats[c] = new LabelStatistics
            {
                Size = memberRows.Length,
                WithinCosine = within,
                CentroidCosine = toCentroid / memberRows.Length,
                CentroidNorm = norm,
            };
        }

        int best = ranked.Length > 0 ? ranked[0] : MostCohesive(stats);
        for (int c = 0; c < labels; c++)
            stats[c].BestCentroidCosine = c == best ? 1.0 : CentroidCosine(centroids[c], centroids[best]);

        int k = Math.Min(options.K, n - 1);
        AddNeighbourStatistics(rows, truth, members, k, stats, cancellation);
        AddIntervals(rows, members, stats, cancellation);
        var cosines = RowCosines.Unit(data, CosineMethod, cancellation);
        AddCorrectedDensity(cosines, RowCosines.Standardized(data, CosineMethod, cancellation), truth, stats);
        AddPermutationNull(cosines, truth, stats, permutations ?? DrawPermutations(n), cancellation);

        var rank = new int?[labels];
        for (int r = 0; r < ranked.Length; r++) rank[ranked[r]] = r + 1;
        var results = Enumerable.Range(0, labels).Select(c => stats[c].ToRow(truth.Names[c], rank[c])).ToArray();

        var components = new Dictionary<string, double> { ["k"] = Math.Max(k, 0) };
        double value = double.NaN;
        if (ranked.Length > 0)
        {
            var ranks = ranked.Select(c => (double)rank[c]!.Value).ToArray();
            foreach (var (statistic, of) in Statistics)
                components[$"spearman.{statistic}"] = RankCorrelation.Spearman(ranks, ranked.Select(c => of(results[c])).ToArray());
            value = components["spearman.withinCosine"];
        }

        var order = ranked.Concat(Enumerable.Range(0, labels).Except(ranked));
        return new MetricResult<KpGeometryRow>(Name, value, order.Select(c => results[c])) { Components = components };
    }

    private int _toldNoOrder;

    /// <summary>
    /// The label codes of the quality order, best first; empty without one. An order given in the input must name
    /// labels the rows have; the labels' own order (their data set's) may name labels this subset lacks, which are left out.
    /// </summary>
    private static int[] QualityCodes(IReadOnlyList<string>? given, LabelVector truth)
    {
        var order = given ?? truth.QualityOrder?.Where(label => truth.CodeOf(label) >= 0).ToArray();
        if (order is null) return [];
        var codes = new List<int>();
        foreach (var label in order)
        {
            int code = truth.CodeOf(label);
            if (code < 0)
                throw new ArgumentException(
                    $"Metric '{Name}': QualityOrder names label '{label}', which no row of Truth has; labels present: {string.Join(", ", truth.Names)}.");
            if (codes.Contains(code)) throw new ArgumentException($"Metric '{Name}': QualityOrder names label '{label}' twice.");
            codes.Add(code);
        }
        return codes.ToArray();
    }

    /// <summary>Without a quality order, the best label is the one with the highest withinCosine (ties: the first in label order).</summary>
    private static int MostCohesive(LabelStatistics[] stats)
    {
        int best = -1;
        for (int c = 0; c < stats.Length; c++)
            if (double.IsFinite(stats[c].WithinCosine) && (best < 0 || stats[c].WithinCosine > stats[best].WithinCosine)) best = c;
        return Math.Max(best, 0); // every label a single row: the first
    }

    private static double CentroidCosine(double[] a, double[] b)
    {
        double norms = Math.Sqrt(WideningSums.Dot(a, a) * WideningSums.Dot(b, b));
        return norms == 0 ? 0.0 : WideningSums.Dot(a, b) / norms;
    }

    /// <summary>
    /// knnAgreement and knnCosine per label. Neighbours come from the exact float32 search; their cosines are then
    /// recomputed in float64, so knnCosine carries no float32 rounding. NaN when there is no other row (k = 0).
    /// </summary>
    private static void AddNeighbourStatistics(UnitRows rows, LabelVector truth, List<int>[] members, int k,
        LabelStatistics[] stats, CancellationToken cancellation)
    {
        if (k < 1)
        {
            foreach (var s in stats) s.KnnAgreement = s.KnnCosine = double.NaN;
            return;
        }
        var graph = NearestNeighbors.Search(rows.Data.Values, rows.Columns, k, PairwiseMeasure.CosineDistance, includeSelf: false, cancellation);
        for (int c = 0; c < members.Length; c++)
        {
            cancellation.ThrowIfCancellationRequested(); // O(size · k · d) per label
            double agreement = 0, cosine = 0;
            foreach (var i in members[c])
            {
                int same = 0;
                double sum = 0;
                foreach (var j in graph.IndicesOf(i))
                {
                    if (truth.Codes[j] == c) same++;
                    sum += rows.Cosine(i, j);
                }
                agreement += (double)same / k;
                cosine += sum / k;
            }
            stats[c].KnnAgreement = agreement / members[c].Count;
            stats[c].KnnCosine = cosine / members[c].Count;
        }
    }

    /// <summary>Bootstrap intervals, labels in code order from one stream, so a seed fixes every interval.</summary>
    private void AddIntervals(UnitRows rows, List<int>[] members, LabelStatistics[] stats, CancellationToken cancellation)
    {
        var random = options.Seed is int seed ? new Random(seed) : context.Random.CreateRandom(Name);
        double tail = (1 - options.Confidence) / 2;
        for (int c = 0; c < members.Length; c++)
        {
            double low = double.NaN, high = double.NaN;
            if (members[c].Count >= 2 && options.Bootstrap > 0)
            {
                var replicates = WithinCosineBootstrap.Replicates(rows, members[c], options.Bootstrap, random, cancellation: cancellation);
                low = WithinCosineBootstrap.Quantile(replicates, tail);
                high = WithinCosineBootstrap.Quantile(replicates, 1 - tail);
            }
            stats[c].WithinCosineLow = low;
            stats[c].WithinCosineHigh = high;
        }
    }

    /// <summary>allPairsCosine, correctedCosine and correctedZ, raw and after per-dimension standardisation.</summary>
    private static void AddCorrectedDensity(RowCosines cosines, RowCosines standardized, LabelVector truth, LabelStatistics[] stats)
    {
        var standardizedSums = standardized.WithinPairSums(truth.Codes.ToArray(), stats.Length);
        for (int c = 0; c < stats.Length; c++)
        {
            var s = stats[c];
            s.AllPairsCosine = cosines.AllPairsMean;
            s.CorrectedCosine = s.WithinCosine - cosines.AllPairsMean; // NaN for a single row
            s.CorrectedZ = Standardize(s.CorrectedCosine, cosines.SubsetVariance(s.Size));
            double pairs = (double)s.Size * (s.Size - 1) / 2;
            s.StandardizedCorrectedCosine = s.Size < 2 ? double.NaN : standardizedSums[c] / pairs - standardized.AllPairsMean;
            s.StandardizedCorrectedZ = Standardize(s.StandardizedCorrectedCosine, standardized.SubsetVariance(s.Size));
        }
    }

    private static double Standardize(double corrected, double variance) => variance > 0 ? corrected / Math.Sqrt(variance) : double.NaN;

    private IEnumerable<int[]> DrawPermutations(int n)
    {
        var random = options.Seed is int seed ? new RandomSource(seed).CreateRandom(PermutationStream) : context.Random.CreateRandom(PermutationStream);
        return Permutations.LabelPermutations.Draw(n, options.Permutations, random);
    }

    /// <summary>
    /// The size-preserving permutation null of correctedCosine: per permutation the within-label pair sums of the
    /// permuted labelling, from the unit's Gram matrix (Σ_c m_c²/2 look-ups) or the labels' vector sums (O(n·d)).
    /// </summary>
    private static void AddPermutationNull(RowCosines cosines, LabelVector truth, LabelStatistics[] stats,
        IEnumerable<int[]> permutations, CancellationToken cancellation)
    {
        int n = truth.Codes.Count, labels = stats.Length;
        var nulls = Enumerable.Range(0, labels).Select(_ => new List<double>()).ToArray();
        var permuted = new int[n];
        foreach (var pi in permutations)
        {
            cancellation.ThrowIfCancellationRequested(); // O(n²) or O(n·d) per permutation
            if (pi.Length != n) throw new ArgumentException($"A permutation has {pi.Length} entries for {n} rows.", nameof(permutations));
            for (int i = 0; i < n; i++) permuted[i] = truth.Codes[pi[i]];
            var sums = cosines.WithinPairSums(permuted, labels);
            for (int c = 0; c < labels; c++)
                if (stats[c].Size >= 2) nulls[c].Add(sums[c] / ((double)stats[c].Size * (stats[c].Size - 1) / 2) - cosines.AllPairsMean);
        }
        for (int c = 0; c < labels; c++)
            stats[c].Null = Permutations.PermutationNull.Of(stats[c].CorrectedCosine, CollectionsMarshal.AsSpan(nulls[c]));
    }

    /// <summary>A label's statistics while they are computed one pass after another.</summary>
    private sealed class LabelStatistics
    {
        public int Size { get; init; }
        public double WithinCosine { get; init; }
        public double CentroidCosine { get; init; }
        public double CentroidNorm { get; init; }
        public double BestCentroidCosine { get; set; }
        public double KnnAgreement { get; set; }
        public double KnnCosine { get; set; }
        public double WithinCosineLow { get; set; }
        public double WithinCosineHigh { get; set; }
        public double AllPairsCosine { get; set; }
        public double CorrectedCosine { get; set; }
        public double CorrectedZ { get; set; }
        public double StandardizedCorrectedCosine { get; set; }
        public double StandardizedCorrectedZ { get; set; }
        public Permutations.PermutationNull Null { get; set; } = Permutations.PermutationNull.None;

        public KpGeometryRow ToRow(string label, int? rank) => new(label, Size, WithinCosine, CentroidCosine, CentroidNorm,
            BestCentroidCosine, KnnAgreement, KnnCosine, WithinCosineLow, WithinCosineHigh, rank)
        {
            AllPairsCosine = AllPairsCosine,
            CorrectedCosine = CorrectedCosine,
            CorrectedZ = CorrectedZ,
            StandardizedCorrectedCosine = StandardizedCorrectedCosine,
            StandardizedCorrectedZ = StandardizedCorrectedZ,
            CorrectedNullMean = Null.NullMean,
            CorrectedNullSd = Null.NullSd,
            CorrectedPValue = Null.PValue,
            CorrectedExcess = Null.Excess,
        };
    }
}
