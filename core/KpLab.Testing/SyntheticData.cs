using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>The deterministic inputs the conformance checks use, public so plugin tests can use them too.</summary>
public static class SyntheticData
{
    /// <summary>Expert labels of <see cref="Evaluation"/>, best answers first (its <see cref="EvaluationInput.QualityOrder"/>).</summary>
    public static IReadOnlyList<string> QualityOrder { get; } =
        ["correct", "partially_correct_incomplete", "contradictory", "irrelevant"];

    /// <summary>
    /// Short student answers in the style of the SemEval-2013 data, plus punctuation, digits, non-Latin scripts, a lone
    /// surrogate and one long answer (about 700 words, so truncation and long-input paths run).
    /// </summary>
    public static IReadOnlyList<string?> Texts { get; } =
    [
        "The bulb lights because the circuit is closed.",
        "Because the switch is closed the current can flow.",
        "the battery is dead",
        "Voltage is 1.5 V across terminal 1 and terminal 2; 0 V across 3 and 4.",
        "It is in a closed path with the battery.",
        "I don't know.",
        "Because of the electrons!!!",
        "Water evaporates when heated, leaving the salt behind.",
        "La solución es agua y sal — el agua se evapora.",
        "電池が切れている",
        "Gap: bulb A is damaged, so the path is open \ud800 broken.",
        "The magnet attracts iron nails but not the copper wire.",
        string.Join(' ', Enumerable.Repeat(
            "Because terminal one is connected to the positive side of the battery and the bulb is in a closed path, the current flows.", 30)),
        "OK",
    ];

    /// <summary>
    /// <paramref name="clusters"/> Gaussian blobs of <paramref name="perCluster"/> rows each in <paramref name="dimension"/>
    /// dimensions, centres about 6 apart, spread 0.5; rows are interleaved (row i belongs to blob i mod clusters).
    /// </summary>
    public static EmbeddingMatrix Blobs(int clusters = 3, int perCluster = 20, int dimension = 8, int seed = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(perCluster);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var random = new Random(seed);
        var centres = new float[clusters][];
        for (int c = 0; c < clusters; c++)
        {
            centres[c] = new float[dimension];
            for (int j = 0; j < dimension; j++) centres[c][j] = (float)(random.NextDouble() * 8 - 4);
            centres[c][c % dimension] += 6;
        }
        int rows = clusters * perCluster;
        return EmbeddingMatrix.Create(rows, dimension, values =>
        {
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < dimension; j++)
                    values[i * dimension + j] = centres[i % clusters][j] + (float)(0.5 * Gaussian(random));
        });
    }

    /// <summary>The blob of each row of <see cref="Blobs"/>.</summary>
    public static int[] BlobLabels(int clusters = 3, int perCluster = 20) =>
        Enumerable.Range(0, clusters * perCluster).Select(i => i % clusters).ToArray();

    /// <summary>
    /// A well-formed metric input on 60 rows: three blobs as embeddings, a predicted partition that mostly follows the
    /// blobs (a few rows moved, two noise rows), and expert labels from <see cref="QualityOrder"/> that mostly follow
    /// them too, with every seventh row "irrelevant".
    /// </summary>
    public static EvaluationInput Evaluation()
    {
        var embeddings = Blobs();
        var blobs = BlobLabels();
        var predicted = (int[])blobs.Clone();
        predicted[4] = 2;
        predicted[11] = 0;
        predicted[25] = -1;
        predicted[38] = -1;
        predicted[50] = 1;
        var truth = blobs.Select((b, i) => i % 7 == 3 ? QualityOrder[3] : QualityOrder[b]).ToArray();
        truth[17] = QualityOrder[0];
        return new EvaluationInput
        {
            Embeddings = embeddings,
            Predicted = new Partition(predicted),
            Truth = truth,
            QualityOrder = QualityOrder,
        };
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller from two uniforms in (0, 1].
        double u = 1.0 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
