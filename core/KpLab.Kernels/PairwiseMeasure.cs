namespace KpLab.Kernels;

/// <summary>What a pairwise kernel computes for two rows x and y.</summary>
public enum PairwiseMeasure
{
    /// <summary>The dot product x·y.</summary>
    Dot,

    /// <summary>Cosine similarity x·y / (|x| |y|); 0 when either row is zero.</summary>
    CosineSimilarity,

    /// <summary>Cosine distance 1 − cosine similarity, in [0, 2].</summary>
    CosineDistance,

    /// <summary>Squared Euclidean distance |x|² + |y|² − 2 x·y, clamped at 0.</summary>
    SquaredEuclidean,

    /// <summary>Euclidean distance, the square root of <see cref="SquaredEuclidean"/>.</summary>
    Euclidean,
}
