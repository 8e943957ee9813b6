using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Umap.Tests;

/// <summary>
/// scikit-learn's <c>sklearn.manifold.trustworthiness</c> (Euclidean): 1 − 2 / (n k (2n − 3k − 1)) · Σᵢ Σ_{j ∈ Nₖ(i)}
/// max(0, r(i, j) − k), where Nₖ(i) are i's k nearest neighbours in the embedding and r(i, j) is j's rank among i's
/// neighbours in the input space.
/// </summary>
internal static class Trustworthiness
{
    public static double Of(EmbeddingMatrix input, EmbeddingMatrix embedding, int k)
    {
        int n = input.Rows;
        var embedded = NearestNeighbors.Search(embedding.Values, embedding.Columns, k, PairwiseMeasure.SquaredEuclidean, includeSelf: false);
        var distances = new double[n];
        var order = new int[n];
        var rank = new int[n];
        double penalty = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                distances[j] = j == i ? double.PositiveInfinity : VectorMath.SquaredL2(input.Row(i), input.Row(j));
                order[j] = j;
            }
            Array.Sort((double[])distances.Clone(), order);
            for (int r = 0; r < n; r++) rank[order[r]] = r + 1;
            foreach (var j in embedded.IndicesOf(i)) penalty += Math.Max(0, rank[j] - k);
        }
        return 1 - penalty * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)));
    }
}
