using KpLab.Kernels;

namespace KpLab.Abstractions;

/// <summary>
/// A clusterer that can also hand back what it fitted, as a model that assigns rows it has not seen (e.g. this year's
/// answers into last year's clusters). Optional: a clusterer built against contracts 2.0 that does not implement it
/// still loads; scripts test for it with <c>is IPredictingClusterer</c>.
/// </summary>
public interface IPredictingClusterer : IClusterer
{
    /// <summary>
    /// Fits on <paramref name="data"/> like <see cref="IClusterer.Fit"/> (the model's <see cref="IClusterModel.Partition"/>
    /// equals what <c>Fit</c> returns for the same data and options) and keeps what prediction needs.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="IClusterer.Fit"/>.</exception>
    IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default);

    /// <summary>Reads a model's payload that this plugin's <see cref="IClusterModel.Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The payload is not one this plugin wrote (the message says what is wrong).</exception>
    IClusterModel ReadModel(BinaryReader reader);
}

/// <summary>A fitted clusterer: the partition of the rows it was fitted on and the rule that places new rows.</summary>
public interface IClusterModel
{
    /// <summary>The partition of the rows the model was fitted on.</summary>
    Partition Partition { get; }

    /// <summary>The number of columns new rows must have.</summary>
    int Dimension { get; }

    /// <summary>Assigns each row of <paramref name="rows"/> to a cluster of <see cref="Partition"/> (or to noise, -1).</summary>
    /// <exception cref="ArgumentException">The rows have another number of columns, or hold NaN or infinity (the row is named).</exception>
    ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default);

    /// <summary>Writes what <see cref="IPredictingClusterer.ReadModel"/> needs to rebuild the model.</summary>
    void Write(BinaryWriter writer);
}

/// <summary>Where new rows fall: a label per row (-1 for noise) and how strongly the row belongs to it.</summary>
public sealed class ClusterPrediction
{
    /// <summary>Creates a prediction (copies are kept).</summary>
    /// <exception cref="ArgumentException">The lengths differ, a label is below -1, or a strength is outside [0, 1].</exception>
    public ClusterPrediction(int[] labels, double[] strengths)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(strengths);
        if (labels.Length != strengths.Length)
            throw new ArgumentException($"{labels.Length} labels but {strengths.Length} strengths.", nameof(strengths));
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < -1)
                throw new ArgumentException($"Label {labels[i]} at row {i} is invalid: labels are -1 (noise) or at least 0.", nameof(labels));
            if (!(strengths[i] >= 0 && strengths[i] <= 1))
                throw new ArgumentException($"Strength {strengths[i]} at row {i} is outside [0, 1].", nameof(strengths));
        }
        Labels = (int[])labels.Clone();
        Strengths = (double[])strengths.Clone();
    }

    /// <summary>The cluster label of each row, -1 for noise.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>
    /// Membership strength in [0, 1] per row: what the clusterer documents (HDBSCAN: the hdbscan library's
    /// <c>approximate_predict</c> probability, 0 for noise; hard assignments: 1).
    /// </summary>
    public IReadOnlyList<double> Strengths { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Count;
}

/// <summary>The checks every <see cref="IClusterModel.Predict"/> makes on the rows it is given.</summary>
public static class PredictionRows
{
    /// <summary>Refuses rows whose width is not <paramref name="dimension"/> or that hold NaN or infinity.</summary>
    /// <param name="rows">The new rows.</param>
    /// <param name="dimension">The width of the rows the model was fitted on.</param>
    /// <param name="plugin">The plugin's name, for the message.</param>
    /// <exception cref="ArgumentException">The message names the plugin and the row or the two widths.</exception>
    public static void Check(EmbeddingMatrix rows, int dimension, string plugin)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Rows > 0 && rows.Columns != dimension)
            throw new ArgumentException($"{plugin}: the new rows have {rows.Columns} columns; the model was fitted on {dimension}.", nameof(rows));
        if (rows.FirstNonFiniteRow() is var bad and >= 0)
            throw new ArgumentException($"{plugin}: new row {bad} holds NaN or an infinite value.", nameof(rows));
    }

    /// <summary>Euclidean norms of the rows for cosine distances (refusing an all-zero row), or empty for other measures.</summary>
    /// <exception cref="ArgumentException">A row is all zeros under the cosine distance (the row is named).</exception>
    public static double[] NormsFor(EmbeddingMatrix rows, PairwiseMeasure measure, string plugin)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (measure != PairwiseMeasure.CosineDistance) return [];
        var norms = ExactDistances.Norms(rows.Values, rows.Columns);
        if (Array.IndexOf(norms, 0.0) is var zero and >= 0)
            throw new ArgumentException($"{plugin}: new row {zero} is all zeros; its cosine distance is undefined.", nameof(rows));
        return norms;
    }
}
