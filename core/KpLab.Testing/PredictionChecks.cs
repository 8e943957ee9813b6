using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>The prediction contract of a clusterer that implements <see cref="IPredictingClusterer"/>.</summary>
internal static class PredictionChecks
{
    public static string Run(IPredictingClusterer clusterer, Partition fitted, EmbeddingMatrix data, ClusterModelIdentity identity)
    {
        var model = clusterer.FitModel(data);
        CheckLog.Require(model.Partition.Labels.SequenceEqual(fitted.Labels), "FitModel's partition differs from Fit's on the same data.");
        CheckLog.Require(model.Dimension == data.Columns, $"the model's Dimension is {model.Dimension}; the data has {data.Columns} columns.");
        var prediction = model.Predict(data);
        CheckLog.Require(prediction.Count == data.Rows, $"predicting {data.Rows} rows gave {prediction.Count} labels.");
        var known = new HashSet<int>(fitted.Labels) { -1 };
        var stranger = prediction.Labels.FirstOrDefault(l => !known.Contains(l), -1);
        CheckLog.Require(stranger == -1, $"a predicted label ({stranger}) is not a label of the fitted partition.");

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) model.Write(writer);
        buffer.Position = 0;
        IClusterModel read;
        using (var reader = new BinaryReader(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) read = clusterer.ReadModel(reader);
        CheckLog.Require(buffer.Position == buffer.Length, $"ReadModel left {buffer.Length - buffer.Position} of the {buffer.Length} written bytes unread.");
        var again = read.Predict(data);
        CheckLog.Require(again.Labels.SequenceEqual(prediction.Labels) && again.Strengths.SequenceEqual(prediction.Strengths),
            "a model written and read back predicts differently.");

        var file = Path.Combine(Path.GetTempPath(), $"kplab-conformance-{Guid.NewGuid():N}.kpmodel");
        try
        {
            ClusterModelFile.Save(file, identity, model);
            var loaded = ClusterModelFile.Load(file, clusterer, identity).Predict(data);
            CheckLog.Require(loaded.Labels.SequenceEqual(prediction.Labels) && loaded.Strengths.SequenceEqual(prediction.Strengths),
                "a model saved to a .kpmodel file and loaded back predicts differently.");
        }
        finally
        {
            File.Delete(file);
        }

        string soft = model is ISoftClusterModel softModel ? SoftMembership(softModel, read, data) : "";
        var wider = EmbeddingMatrix.FromValues(1, data.Columns + 1, new float[data.Columns + 1]);
        try
        {
            model.Predict(wider);
        }
        catch (ArgumentException)
        {
            return $"FitModel = Fit; {data.Rows} rows predicted ({prediction.Labels.Count(l => l < 0)} noise); " +
                $"{buffer.Length} bytes written and read back, and a .kpmodel file saved and loaded, predict the same; another width is refused." + soft;
        }
        throw new ConformanceFailure($"a row of {data.Columns + 1} columns was accepted by a model fitted on {data.Columns}.");
    }

    /// <summary>An <see cref="ISoftClusterModel"/>: a row per row, a column per cluster label, each row summing to at
    /// most 1, for the fitted and for new rows, and the same after the model is written and read back.</summary>
    private static string SoftMembership(ISoftClusterModel model, IClusterModel read, EmbeddingMatrix data)
    {
        var clusters = model.Partition.Labels.Where(l => l >= 0).Distinct().Order().ToArray();
        var all = model.AllPointsMembershipVectors();
        var fresh = model.PredictMembershipVectors(data);
        foreach (var (vectors, what) in new[] { (all, "AllPointsMembershipVectors"), (fresh, "PredictMembershipVectors") })
        {
            CheckLog.Require(vectors.Rows == data.Rows, $"{what} gave {vectors.Rows} rows for {data.Rows}.");
            CheckLog.Require(vectors.ClusterLabels.SequenceEqual(clusters),
                $"{what}'s columns are clusters [{string.Join(", ", vectors.ClusterLabels)}], the partition's [{string.Join(", ", clusters)}].");
            for (int i = 0; i < vectors.Rows; i++)
            {
                double sum = 0;
                foreach (var v in vectors.Row(i)) sum += v;
                CheckLog.Require(sum <= 1 + 1e-9, $"{what}: row {i} sums to {sum}, more than 1.");
            }
        }
        CheckLog.Require(read is ISoftClusterModel again && again.AllPointsMembershipVectors().ToArray().SequenceEqual(all.ToArray()),
            "a model written and read back gives other membership vectors.");
        return $" Soft clustering: {clusters.Length} columns for the fitted and for new rows, each row summing to at most 1, the same after reading back.";
    }
}
