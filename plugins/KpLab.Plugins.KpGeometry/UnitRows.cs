using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry;

/// <summary>
/// The rows of an embedding matrix seen as unit vectors x̂ = x / |x| in float64, without copying them: each float32
/// row is widened and scaled by its inverse norm on the fly. A zero row stays the zero vector (cosine 0 with
/// everything, as scikit-learn's cosine_similarity).
/// </summary>
internal sealed class UnitRows
{
    private readonly double[] _inverseNorms;
    private readonly double[] _squaredNorms;

    public UnitRows(EmbeddingMatrix data)
    {
        Data = data;
        _inverseNorms = new double[data.Rows];
        _squaredNorms = new double[data.Rows];
        for (int i = 0; i < data.Rows; i++)
        {
            var row = data.Row(i);
            double squared = WideningSums.Dot(row, row);
            if (squared == 0) continue;
            _inverseNorms[i] = 1 / Math.Sqrt(squared);
            _squaredNorms[i] = squared * _inverseNorms[i] * _inverseNorms[i]; // |x̂|², 1 up to rounding
        }
    }

    public EmbeddingMatrix Data { get; }

    public int Count => Data.Rows;

    public int Columns => Data.Columns;

    /// <summary>|x̂ᵢ|²: 1 (up to rounding) for a non-zero row, 0 for a zero row.</summary>
    public double SquaredNorm(int row) => _squaredNorms[row];

    /// <summary>acc ← acc + weight · x̂ᵢ.</summary>
    public void AddTo(int row, double weight, Span<double> acc) =>
        WideningSums.ScaleAddTo(weight * _inverseNorms[row], Data.Row(row), acc);

    /// <summary>x̂ᵢ · v.</summary>
    public double Dot(int row, ReadOnlySpan<double> v) => WideningSums.Dot(Data.Row(row), v) * _inverseNorms[row];

    /// <summary>cos(xᵢ, xⱼ) = x̂ᵢ · x̂ⱼ in float64 (0 when either row is zero).</summary>
    public double Cosine(int i, int j) => WideningSums.Dot(Data.Row(i), Data.Row(j)) * _inverseNorms[i] * _inverseNorms[j];

    /// <summary>
    /// The mean cosine over the pairs of distinct positions p &lt; q of <paramref name="rows"/> (row indices, repeats
    /// allowed), by the identity Σ_{p≠q} x̂_p·x̂_q = |Σ_p x̂_p|² − Σ_p |x̂_p|²: O(count · d) instead of O(count² · d).
    /// NaN for fewer than two positions.
    /// </summary>
    /// <param name="rows">The positions' row indices.</param>
    /// <param name="sum">Scratch of length <see cref="Columns"/>; receives Σ_p x̂_p.</param>
    public double MeanPairwiseCosine(ReadOnlySpan<int> rows, Span<double> sum)
    {
        int count = rows.Length;
        if (count < 2) return double.NaN;
        sum.Clear();
        double diagonal = 0;
        foreach (var row in rows)
        {
            AddTo(row, 1.0, sum);
            diagonal += _squaredNorms[row];
        }
        double all = WideningSums.Dot(sum, sum);
        return (all - diagonal) / ((double)count * (count - 1));
    }
}
