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

        var wider = EmbeddingMatrix.FromValues(1, data.Columns + 1, new float[data.Columns + 1]);
        try
        {
            model.Predict(wider);
        }
        catch (ArgumentException)
        {
            return $"FitModel = Fit; {data.Rows} rows predicted ({prediction.Labels.Count(l => l < 0)} noise); " +
                $"{buffer.Length} bytes written and read back, and a .kpmodel file saved and loaded, predict the same; another width is refused.";
        }
        throw new ConformanceFailure($"a row of {data.Columns + 1} columns was accepted by a model fitted on {data.Columns}.");
    }
}
