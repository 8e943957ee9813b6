using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry;

/// <summary>
/// The cosines between the rows of one unit, in float64, for the anisotropy baseline (Ethayarajh 2019: a similarity
/// is read against the same similarity between rows drawn at random) and for label-permutation nulls. Rows are turned
/// into unit vectors u (a zero row stays the zero vector: cosine 0 with everything); G_ij = u_i·u_j.
/// <para>Held once per unit: the all-pairs sum T = Σ_{i&lt;j} G_ij and mean A = T / C(n, 2); the centred pair
/// cosines h_ij = G_ij − A with Q = Σ_{i&lt;j} h_ij² and R = Σ_i r_i², r_i = Σ_{j≠i} h_ij, from which
/// <see cref="SubsetVariance"/> is exact in O(1); and, while n ≤ 2d, the Gram matrix itself, so a labelling's
/// within-label pair sums cost Σ_c m_c²/2 look-ups (else O(n·d) through the labels' vector sums).</para>
/// </summary>
internal sealed class RowCosines
{
    private readonly double[] _rows;
    private readonly double[] _squaredNorms;
    private readonly double[]? _gram;
    private readonly double _centredSquares;
    private readonly double _centredRowSums;

    private RowCosines(double[] rows, int count, int columns, CosineMethod method, CancellationToken cancellation)
    {
        _rows = rows;
        Count = count;
        Columns = columns;
        _squaredNorms = new double[count];
        var sum = new double[columns];
        double diagonal = 0;
        for (int i = 0; i < count; i++)
        {
            var row = Row(i);
            _squaredNorms[i] = DoubleVectorMath.Dot(row, row);
            diagonal += _squaredNorms[i];
            DoubleVectorMath.Axpy(1.0, row, sum);
        }
        double pairs = (double)count * (count - 1) / 2;
        AllPairsSum = (DoubleVectorMath.Dot(sum, sum) - diagonal) / 2; // Σ_{i≠j} G_ij = |Σ u|² − Σ |u|²
        AllPairsMean = count < 2 ? double.NaN : AllPairsSum / pairs;
        if (count < 2) return;

        double a = AllPairsMean;
        for (int i = 0; i < count; i++)
        {
            double r = DoubleVectorMath.Dot(Row(i), sum) - _squaredNorms[i] - (count - 1) * a; // Σ_{j≠i} (G_ij − A)
            _centredRowSums += r * r;
        }
        if (Resolve(method, count, columns) == CosineMethod.Gram)
        {
            _gram = Gram(cancellation);
            for (int i = 0; i < count; i++)
                for (int j = i + 1; j < count; j++)
                {
                    double h = _gram[i * count + j] - a;
                    _centredSquares += h * h;
                }
        }
        else
        {
            // Σ_{i≠j} G_ij² = ‖UᵀU‖²_F − Σ_i |u_i|⁴ through the d × d scatter matrix: O(n·d²) without an n × n matrix.
            double squares = ScatterSquaredNorm(cancellation);
            foreach (var s in _squaredNorms) squares -= s * s;
            _centredSquares = squares / 2 - 2 * a * AllPairsSum + pairs * a * a;
        }
    }

    /// <summary>Rows n.</summary>
    public int Count { get; }

    /// <summary>Dimensions d.</summary>
    public int Columns { get; }

    /// <summary>T = Σ_{i&lt;j} cos(x_i, x_j).</summary>
    public double AllPairsSum { get; }

    /// <summary>A = T / C(n, 2): the mean cosine between two distinct rows of the unit (NaN for fewer than two rows).</summary>
    public double AllPairsMean { get; }

    /// <summary>Whether the Gram matrix is held (n ≤ 2d, or forced).</summary>
    public bool HoldsGram => _gram is not null;

    /// <summary>The rows x scaled to unit length.</summary>
    public static RowCosines Unit(EmbeddingMatrix data, CosineMethod method = CosineMethod.Auto, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows, d = data.Columns;
        var rows = new double[(long)n * d];
        for (int i = 0; i < n; i++)
        {
            var source = data.Row(i);
            double squared = WideningSums.Dot(source, source);
            double inverse = squared == 0 ? 0 : 1 / Math.Sqrt(squared);
            var target = rows.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) target[j] = source[j] * inverse;
        }
        return new RowCosines(rows, n, d, method, cancellation);
    }

    /// <summary>
    /// The rows after per-dimension standardisation over the unit (Timkey &amp; van Schijndel 2021), then scaled to unit
    /// length: z_ij = (x_ij − μ_j) / σ_j with μ_j and σ_j the mean and population standard deviation of dimension j
    /// over the unit's rows (raw rows, not unit vectors); a dimension constant over the unit (σ_j = 0) is set to 0.
    /// </summary>
    public static RowCosines Standardized(EmbeddingMatrix data, CosineMethod method = CosineMethod.Auto, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows, d = data.Columns;
        if (n == 0) return new RowCosines([], 0, d, method, cancellation);
        var mean = new double[d];
        var min = new float[d];
        var max = new float[d];
        data.Row(0).CopyTo(min);
        data.Row(0).CopyTo(max);
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            WideningSums.AddTo(row, mean);
            for (int j = 0; j < d; j++) (min[j], max[j]) = (Math.Min(min[j], row[j]), Math.Max(max[j], row[j]));
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        var deviation = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) deviation[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
        }
        // Constant means every value equal (max = min), decided on the stored float32 values: a floating-point mean of
        // equal values can differ from them in the last bit, and dividing that residue by a tiny σ would invent signal.
        var scale = new double[d];
        for (int j = 0; j < d; j++) scale[j] = max[j] == min[j] ? 0 : 1 / Math.Sqrt(deviation[j] / n);

        var rows = new double[(long)n * d];
        for (int i = 0; i < n; i++)
        {
            var source = data.Row(i);
            var target = rows.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) target[j] = scale[j] == 0 ? 0 : (source[j] - mean[j]) * scale[j];
            double norm = DoubleVectorMath.Norm(target);
            if (norm > 0) DoubleVectorMath.Scale(1 / norm, target);
        }
        return new RowCosines(rows, n, d, method, cancellation);
    }

    /// <summary>
    /// The exact variance of the mean pairwise cosine of a uniformly random subset of <paramref name="size"/> rows
    /// drawn without replacement from the unit (its mean is <see cref="AllPairsMean"/>). With P = C(m, 2) and the
    /// probabilities that 2, 3 and 4 given rows all fall in the subset, p₂ = m(m−1)/(n(n−1)), p₃ = p₂(m−2)/(n−2),
    /// p₄ = p₃(m−3)/(n−3): Var = [p₂·Q + p₃·(R − 2Q) + p₄·(Q − R)] / P² (pairs of pairs that coincide, share one row,
    /// or are disjoint; the centred cosines sum to zero). For m = 2 it is the variance of the cosine of one random pair.
    /// NaN for m &lt; 2 or m &gt; n; 0 for m = n.
    /// </summary>
    public double SubsetVariance(int size)
    {
        if (size < 2 || size > Count) return double.NaN;
        if (size == Count) return 0;
        double m = size, n = Count;
        double p2 = m * (m - 1) / (n * (n - 1));
        double p3 = m < 3 ? 0 : p2 * (m - 2) / (n - 2);
        double p4 = m < 4 ? 0 : p3 * (m - 3) / (n - 3);
        double q = _centredSquares, r = _centredRowSums;
        double pairs = m * (m - 1) / 2;
        return Math.Max(0, p2 * q + p3 * (r - 2 * q) + p4 * (q - r)) / (pairs * pairs);
    }

    /// <summary>For each label c of the labelling, Σ_{i&lt;j, label i = label j = c} G_ij.</summary>
    /// <param name="labelOf">Each row's label code, 0 .. labels − 1.</param>
    /// <param name="labels">Number of label codes.</param>
    public double[] WithinPairSums(ReadOnlySpan<int> labelOf, int labels)
    {
        if (labelOf.Length != Count) throw new ArgumentException($"Expected {Count} labels, got {labelOf.Length}.", nameof(labelOf));
        var sums = new double[labels];
        if (_gram is not null)
        {
            // Rows grouped by label (counting sort, ascending row order within a label).
            var starts = new int[labels + 1];
            foreach (var c in labelOf) starts[c + 1]++;
            for (int c = 0; c < labels; c++) starts[c + 1] += starts[c];
            var next = starts[..labels];
            var grouped = new int[Count];
            for (int i = 0; i < Count; i++) grouped[next[labelOf[i]]++] = i;
            for (int c = 0; c < labels; c++)
            {
                var members = grouped.AsSpan(starts[c], starts[c + 1] - starts[c]);
                double total = 0;
                for (int a = 0; a < members.Length; a++)
                {
                    var row = _gram.AsSpan(members[a] * Count, Count);
                    for (int b = a + 1; b < members.Length; b++) total += row[members[b]];
                }
                sums[c] = total;
            }
            return sums;
        }
        var vectors = new double[labels * Columns];
        var diagonal = new double[labels];
        for (int i = 0; i < Count; i++)
        {
            int c = labelOf[i];
            DoubleVectorMath.Axpy(1.0, Row(i), vectors.AsSpan(c * Columns, Columns));
            diagonal[c] += _squaredNorms[i];
        }
        for (int c = 0; c < labels; c++)
        {
            var v = vectors.AsSpan(c * Columns, Columns);
            sums[c] = (DoubleVectorMath.Dot(v, v) - diagonal[c]) / 2;
        }
        return sums;
    }

    private ReadOnlySpan<double> Row(int i) => _rows.AsSpan(i * Columns, Columns);

    /// <summary>The Gram matrix when it costs less per labelling than the vector sums do (n²/2 look-ups against n·d).</summary>
    private static CosineMethod Resolve(CosineMethod method, int count, int columns) =>
        method != CosineMethod.Auto ? method
        : count <= 2L * columns && count <= MaxGramRows ? CosineMethod.Gram : CosineMethod.Direct;

    /// <summary>Largest unit held as a Gram matrix under <see cref="CosineMethod.Auto"/> (n² float64 values, 512 MiB).</summary>
    private const int MaxGramRows = 8192;

    private double[] Gram(CancellationToken cancellation)
    {
        int n = Count;
        var gram = new double[(long)n * n];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellation };
        Parallel.For(0, n, parallel, i =>
        {
            var row = Row(i);
            for (int j = i; j < n; j++) gram[i * n + j] = gram[j * n + i] = DoubleVectorMath.Dot(row, Row(j));
        });
        return gram;
    }

    /// <summary>‖UᵀU‖²_F = Σ_{i,j} G_ij², accumulating the d × d scatter matrix one row at a time.</summary>
    private double ScatterSquaredNorm(CancellationToken cancellation)
    {
        int d = Columns;
        var scatter = new double[(long)d * d];
        for (int i = 0; i < Count; i++)
        {
            cancellation.ThrowIfCancellationRequested(); // O(d²) per row
            var row = Row(i);
            for (int j = 0; j < d; j++)
                if (row[j] != 0) DoubleVectorMath.Axpy(row[j], row, scatter.AsSpan(j * d, d));
        }
        return DoubleVectorMath.Dot(scatter, scatter);
    }
}

/// <summary>How <see cref="RowCosines"/> evaluates pair sums (the answers agree to rounding).</summary>
internal enum CosineMethod
{
    /// <summary>The Gram matrix while n ≤ 2d, the vector sums otherwise.</summary>
    Auto,

    /// <summary>Through the n × n Gram matrix.</summary>
    Gram,

    /// <summary>Through the labels' sums of unit vectors (and the d × d scatter matrix once).</summary>
    Direct,
}
