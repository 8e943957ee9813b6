using System.Runtime.CompilerServices;

namespace KpLab.Kernels;

/// <summary>
/// Exact double-precision distances between a row of one matrix and a row of another (a new row against a fitted row),
/// in the same arithmetic as <see cref="ExactDistances.Between"/> within one matrix.
/// </summary>
public static class QueryDistances
{
    /// <summary>The distance between <paramref name="x"/> and <paramref name="y"/>.</summary>
    /// <param name="x">The first row.</param>
    /// <param name="normX">Its Euclidean norm (<see cref="ExactDistances.Norms"/>); used for cosine only.</param>
    /// <param name="y">The second row, of the same length.</param>
    /// <param name="normY">Its Euclidean norm; used for cosine only.</param>
    /// <param name="measure">Euclidean, SquaredEuclidean or CosineDistance.</param>
    /// <exception cref="ArgumentException">The measure is not a distance.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Between(ReadOnlySpan<float> x, double normX, ReadOnlySpan<float> y, double normY, PairwiseMeasure measure) =>
        measure switch
        {
            PairwiseMeasure.SquaredEuclidean => ExactDistances.SquaredEuclidean(x, y),
            PairwiseMeasure.Euclidean => Math.Sqrt(ExactDistances.SquaredEuclidean(x, y)),
            PairwiseMeasure.CosineDistance => ExactDistances.CosineDistance(ExactDistances.Dot(x, y), normX, normY),
            _ => throw new ArgumentException($"A distance between rows needs a distance measure, not {measure}.", nameof(measure)),
        };
}
