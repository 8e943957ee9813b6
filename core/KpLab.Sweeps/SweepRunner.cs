using System.Globalization;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;

namespace KpLab.Sweeps;

/// <summary>
/// Executes a sweep: lists its trials, then for each (embedder, unit) embeds the unit once (only if one of its trials
/// is not stored yet) and runs the missing trials, <see cref="ISweepHost.Jobs"/> at a time, each under the same kernel
/// thread count, storing each as it finishes. Results are assembled from the store in trial order, so a resumed run's
/// results equal an uninterrupted run's and no trial is counted twice.
/// </summary>
internal sealed class SweepRunner(Sweep sweep, ISweepHost host)
{
    /// <summary>The trial store's folder in the run folder.</summary>
    public const string StoreFolder = "trials";

    public Results Run()
    {
        var trials = sweep.Trials();
        var store = new TrialStore(Path.Combine(host.RunDirectory, StoreFolder));
        var trialsFile = host.NextTrialsFile();
        WriteTrialList(trials, trialsFile);
        var outcomes = new StoredTrial?[trials.Count];
        for (int i = 0; i < trials.Count; i++) outcomes[i] = store.Load(trials[i]);
        int fromStore = outcomes.Count(o => o is not null);
        if (host.RequiresStoredTrials && fromStore < trials.Count)
        {
            var absent = trials.Where(t => outcomes[t.Index] is null).ToArray();
            throw new InvalidOperationException(
                $"merge: {absent.Length} of {trials.Count} trials are in no shard's trial store (first: {absent[0]}); " +
                "the shards ran a different sweep (changed data, options or plugin versions) or a shard is incomplete.");
        }
        var shard = host.Shard;
        var owned = shard is null ? null : ShardPlan.Assign(trials, shard.Count);
        int computing = trials.Count(t => outcomes[t.Index] is null && (owned is null || owned[t.Index] == shard!.Index));
        if (shard is not null)
            host.Log($"shard {shard}: {owned!.Count(s => s == shard.Index)} of {trials.Count} trials are this shard's.");
        else if (fromStore > 0) host.Log($"sweep: {fromStore} of {trials.Count} trials read back from the trial store; computing the other {trials.Count - fromStore}.");
        else host.Log($"sweep: {trials.Count} trials ({sweep.Units.Count} units × {sweep.EmbedderConfigs.Count} embedders).");

        foreach (var group in trials.GroupBy(t => (t.Embedder, t.Unit)))
        {
            var missing = group.Where(t => outcomes[t.Index] is null && (owned is null || owned[t.Index] == shard!.Index)).ToArray();
            if (missing.Length == 0) continue;
            host.Cancellation.ThrowIfCancellationRequested();
            var embeddings = host.Embedder(group.Key.Embedder).Embed(group.Key.Unit.Data.Texts, null, host.Cancellation);
            var normalized = new Lazy<EmbeddingMatrix>(embeddings.NormalizeRows);
            void RunTrial(Trial trial)
            {
                using (KernelParallelism.Override(host.TrialThreads))
                {
                    var outcome = Execute(trial, embeddings, normalized);
                    store.Save(outcome);
                    outcomes[trial.Index] = outcome;
                }
            }
            if (host.Jobs <= 1)
            {
                // In order on this thread: an exception reaches the script as the plugin threw it.
                foreach (var trial in missing) RunTrial(trial);
            }
            else
            {
                try
                {
                    Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = host.Jobs, CancellationToken = host.Cancellation }, RunTrial);
                }
                catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
                {
                    // The first failure, as --jobs 1 would have reported it (the others ran concurrently with it).
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }
        }

        if (shard is not null)
        {
            // The report step runs once, in kplab merge: a shard stores its trials, records them and ends the script.
            var mine = trials.Where(t => owned![t.Index] == shard.Index).Select(t => t.Id).ToArray();
            WriteShardRecord(shard, trials.Count, mine);
            host.Completed(new SweepReport(trials.Count, computing, mine.Length - computing, trialsFile, []));
            var done = new SweepShardCompletedException(shard, mine.Length, trials.Count);
            host.Log(done.Message);
            throw done;
        }

        var configurations = trials.SelectMany(t => t.Clusterer is null ? [t.Embedder] : new[] { t.Embedder, t.Clusterer })
            .Concat(sweep.PartitionMetrics).Concat(sweep.UnitMetricConfigs).Concat(sweep.ResampleMetricConfigs).Distinct().ToArray();
        host.Completed(new SweepReport(trials.Count, computing, fromStore, trialsFile, configurations));
        // Resample trials' rows are kept apart: every aggregate over the results stays one of whole units.
        var whole = trials.Where(t => t.Resample is null).ToArray();
        var resampled = trials.Where(t => t.Resample is not null).ToArray();
        var (rows, partitions) = Collect(whole, outcomes);
        var (resampleRows, resamplePartitions) = Collect(resampled, outcomes);
        return new Results(whole, rows, partitions) { Resamples = new Results(resampled, resampleRows, resamplePartitions) };
    }

    private static (List<ResultRow> Rows, Dictionary<string, int[]> Partitions) Collect(IReadOnlyList<Trial> trials, StoredTrial?[] outcomes)
    {
        var rows = new List<ResultRow>();
        var partitions = new Dictionary<string, int[]>();
        foreach (var trial in trials)
        {
            var outcome = outcomes[trial.Index]!;
            foreach (var v in outcome.Values)
                rows.Add(new ResultRow(trial.Unit.Id, trial.Embedder.Label, trial.Clusterer?.Label, trial.Clusterer?.OptionsText,
                    trial.Seed, v.Metric, v.Label, v.Statistic, v.Value, trial.Id) { Resample = trial.Resample?.Index });
            if (outcome.Partition is { } labels) partitions[trial.Id] = labels;
        }
        return (rows, partitions);
    }

    private StoredTrial Execute(Trial trial, EmbeddingMatrix embeddings, Lazy<EmbeddingMatrix> normalized)
    {
        var unit = trial.Unit;
        var truth = LabelVector.FromStrings(unit.Data.Labels);
        var qualityOrder = unit.QualityOrder;
        var values = new List<TrialValue>();
        Partition? partition = null;
        IReadOnlyList<PluginConfig> metrics;
        if (trial.Resample is { } resample)
        {
            // The drawn rows of the unit's embeddings, not embedded again; the labels are the drawn rows' labels.
            var drawn = resample.Rows(unit.Count);
            var (unitLabels, unitNormalized) = (truth, normalized);
            embeddings = embeddings.SelectRows(drawn);
            normalized = new Lazy<EmbeddingMatrix>(() => unitNormalized.Value.SelectRows(drawn));
            truth = LabelVector.FromStrings(drawn.Select(i => unitLabels[i]).ToArray());
            qualityOrder = qualityOrder?.Where(truth.Names.Contains).ToArray();
        }
        if (trial.Clusterer is { } clusterer)
        {
            var data = trial.Rows == RowTransform.Normalize ? normalized.Value : embeddings;
            try
            {
                partition = host.Clusterer(clusterer, trial.Seed).Fit(data, host.Cancellation);
            }
            catch (ArgumentException e) when (sweep.ToleratesErrors)
            {
                host.Log($"sweep: {trial}: {clusterer.Label} failed, recorded as NaN ({e.Message})");
                values.Add(new TrialValue(ResultRow.PartitionMetric, null, "failed", 1));
                values.AddRange((trial.Resample is null ? sweep.PartitionMetrics : sweep.ResampleMetricConfigs)
                    .Select(m => new TrialValue(m.Label, null, ResultRow.HeadlineStatistic, double.NaN)));
                return new StoredTrial(trial.Id, values, null);
            }
            values.Add(new TrialValue(ResultRow.PartitionMetric, null, "rows", partition.Count));
            values.Add(new TrialValue(ResultRow.PartitionMetric, null, "clusters", partition.ClusterCount));
            values.Add(new TrialValue(ResultRow.PartitionMetric, null, "noise", partition.NoiseCount));
            metrics = trial.Resample is null ? sweep.PartitionMetrics : sweep.ResampleMetricConfigs;
        }
        else
        {
            metrics = sweep.UnitMetricConfigs;
        }
        var input = new EvaluationInput
        {
            Embeddings = embeddings,
            Predicted = partition,
            Truth = truth,
            QualityOrder = qualityOrder,
            CancellationToken = host.Cancellation,
        };
        foreach (var metric in metrics)
        {
            host.Cancellation.ThrowIfCancellationRequested();
            MetricResult result;
            try
            {
                result = host.Metric(metric).Evaluate(input);
            }
            catch (ArgumentException e) when (sweep.ToleratesErrors)
            {
                host.Log($"sweep: {trial}: {metric.Label} undefined, recorded as NaN ({e.Message})");
                values.Add(new TrialValue(metric.Label, null, ResultRow.HeadlineStatistic, double.NaN));
                continue;
            }
            values.Add(new TrialValue(metric.Label, null, ResultRow.HeadlineStatistic, result.Value));
            foreach (var (name, value) in result.Components)
                values.Add(new TrialValue(metric.Label, null, name, value));
            foreach (var row in result.Rows)
                foreach (var (name, value) in row.Values)
                    values.Add(new TrialValue(metric.Label, row.Key, name, value));
        }
        return new StoredTrial(trial.Id, values, partition?.Labels);
    }

    private void WriteShardRecord(SweepShard shard, int trials, IReadOnlyList<string> ids) =>
        AtomicFile.WriteAllText(Path.Combine(host.RunDirectory, SweepShard.RecordFile), System.Text.Json.JsonSerializer.Serialize(
            new ShardRecord(shard.Index, shard.Count, trials, ids), new System.Text.Json.JsonSerializerOptions
            { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase, WriteIndented = true }));

    private void WriteTrialList(IReadOnlyList<Trial> trials, string file)
    {
        var rows = trials.Select(t => (IReadOnlyList<string?>)[
            t.Index.ToString(CultureInfo.InvariantCulture), t.Id, t.Unit.Id, t.Unit.ContentHash, t.Embedder.Label, t.Clusterer?.Label,
            t.Clusterer?.OptionsText, t.Rows == RowTransform.None ? null : t.Rows.ToString().ToLowerInvariant(),
            t.Seed.ToString(CultureInfo.InvariantCulture), t.Resample?.Index.ToString(CultureInfo.InvariantCulture)]);
        AtomicFile.WriteAllText(Path.Combine(host.RunDirectory, file),
            CsvTable.Format(["index", "id", "unit", "unit_sha256", "embedder", "clusterer", "options", "rows", "seed", "resample"], rows));
    }
}
