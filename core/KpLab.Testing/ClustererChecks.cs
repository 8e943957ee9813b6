using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Testing;

/// <summary>The clusterer contract: label shape, determinism with a seed and across kernel threads, edge inputs.</summary>
internal sealed class ClustererChecks(PluginUnderTest plugin, IClusterer clusterer) : KindChecks(plugin)
{
    private static readonly EmbeddingMatrix Data = SyntheticData.Blobs();

    public override void Exercise(object instance) => ((IClusterer)instance).Fit(Data);

    public override void Run(CheckLog log)
    {
        var (reference, error) = Attempt(() => clusterer.Fit(Data));
        log.Run(ConformanceChecks.ClustererShape, () => Shape(reference ?? throw Failure("the sample data", error!), Data.Rows));
        if (reference is null)
        {
            log.Skip("(clusterer checks)", "the rest need a partition of the sample data.");
            return;
        }
        log.Run(ConformanceChecks.ClustererDeterministic, () =>
        {
            Same(reference, clusterer.Fit(Data), "fitting the same data twice with one instance");
            Same(reference, Fresh<IClusterer>().Fit(Data), $"a new instance with the same options and seed {Settings.Seed}");
            return $"same labels from the same instance and a new one with seed {Settings.Seed} ({reference.ClusterCount} clusters, {reference.NoiseCount} noise).";
        });
        log.Run(ConformanceChecks.ClustererParallelism, () =>
        {
            Partition one, two;
            using (KernelParallelism.Override(1)) one = Fresh<IClusterer>().Fit(Data);
            using (KernelParallelism.Override(2)) two = Fresh<IClusterer>().Fit(Data);
            Same(one, two, "one and two kernel threads");
            Same(reference, one, "one kernel thread and the default");
            return "same labels with 1 and 2 kernel threads.";
        });
        log.Run(ConformanceChecks.ClustererEmptyInput, () =>
            $"zero rows: {Edge(0)}; one row: {Edge(1)}.");
        log.Run(ConformanceChecks.ClustererNonFinite, () =>
            $"{NonFinite(5, float.NaN)}; {NonFinite(9, float.PositiveInfinity)}.");
        log.Run(ConformanceChecks.ClustererPrediction, () => clusterer is IPredictingClusterer predicting
            ? PredictionChecks.Run(predicting, reference, Data, ClusterModelIdentity.Of(Plugin.Name, "conformance", Plugin.BaseOptions(), Data))
            : "does not implement IPredictingClusterer (optional).");
    }

    private static string Shape(Partition partition, int rows)
    {
        CheckLog.Require(partition.Count == rows, $"{rows} rows gave {partition.Count} labels.");
        var below = Array.FindIndex(partition.Labels, l => l < -1);
        CheckLog.Require(below < 0, $"row {below} has label {(below < 0 ? 0 : partition.Labels[below])}; labels are -1 (noise) or at least 0.");
        CheckLog.Require(partition.Probabilities is null || partition.Probabilities.Count == rows,
            $"{partition.Probabilities?.Count} probabilities for {rows} rows.");
        CheckLog.Require(partition.Probabilities is null || partition.Probabilities.All(p => p is >= 0 and <= 1),
            "a membership probability lies outside [0, 1].");
        CheckLog.Require(partition.OutlierScores is null || partition.OutlierScores.Count == rows,
            $"{partition.OutlierScores?.Count} outlier scores for {rows} rows.");
        return $"{rows} rows -> {partition.Count} labels >= -1 ({partition.ClusterCount} clusters, {partition.NoiseCount} noise)" +
            (partition.Probabilities is null ? "" : ", probabilities in [0, 1]") + ".";
    }

    private static void Same(Partition expected, Partition actual, string what)
    {
        CheckLog.Require(actual.Count == expected.Count, $"{what}: {actual.Count} labels, expected {expected.Count}.");
        var first = Enumerable.Range(0, expected.Count).FirstOrDefault(i => expected.Labels[i] != actual.Labels[i], -1);
        CheckLog.Require(first < 0,
            $"{what} give different labels (first at row {first}: {(first < 0 ? 0 : expected.Labels[first])} vs {(first < 0 ? 0 : actual.Labels[first])}).");
    }

    private string Edge(int rows)
    {
        var data = Data.SelectRows(Enumerable.Range(0, rows).ToArray());
        try
        {
            var partition = clusterer.Fit(data);
            CheckLog.Require(partition.Count == rows, $"{rows} row(s) gave {partition.Count} labels.");
            return $"{rows} label(s)";
        }
        catch (ArgumentException e)
        {
            CheckLog.Require(!string.IsNullOrWhiteSpace(e.Message), $"{rows} row(s): an ArgumentException without a message.");
            return "ArgumentException";
        }
    }

    private string NonFinite(int row, float value) => NonFiniteIsRefused(Data, row, value, data => clusterer.Fit(data));
}
