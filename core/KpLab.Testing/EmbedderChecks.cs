using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Kernels;

namespace KpLab.Testing;

/// <summary>The embedder contract: shapes, blank texts, determinism, batch and thread invariance, cache identity.</summary>
internal sealed class EmbedderChecks(PluginUnderTest plugin, IEmbedder embedder) : KindChecks(plugin)
{
    private IReadOnlyList<string?> Texts => Settings.Texts ?? SyntheticData.Texts;

    public override void Exercise(object instance) => ((IEmbedder)instance).Embed(Texts.Take(3).ToArray());

    public override void Run(CheckLog log)
    {
        var (reference, error) = Attempt(() => embedder.Embed(Texts));
        log.Run(ConformanceChecks.EmbedderShape, () =>
        {
            var matrix = reference ?? throw Failure("the sample texts", error!);
            CheckLog.Require(matrix.Rows == Texts.Count, $"{Texts.Count} texts gave {matrix.Rows} rows.");
            CheckLog.Require(embedder.Dimension >= 0, $"Dimension is {embedder.Dimension}; it is the vector length, or 0 when it depends on the texts.");
            CheckLog.Require(embedder.Dimension == 0 || matrix.Columns == embedder.Dimension,
                $"Dimension says {embedder.Dimension} but the vectors have {matrix.Columns} columns.");
            var bad = matrix.FirstNonFiniteRow();
            CheckLog.Require(bad < 0, $"the vector of text {bad} holds NaN or infinity.");
            return $"{matrix.Rows} texts -> {matrix.Rows} x {matrix.Columns}, all finite (Dimension {embedder.Dimension}).";
        });
        if (reference is null)
        {
            log.Skip("(embedder checks)", "the rest need the vectors of the sample texts.");
            return;
        }
        log.Run(ConformanceChecks.EmbedderEmptyInput, EmptyInput);
        log.Run(ConformanceChecks.EmbedderDeterministic, () => Deterministic(reference));
        log.Run(ConformanceChecks.EmbedderBatchInvariance, () => BatchInvariance(reference));
        log.Run(ConformanceChecks.EmbedderParallelism, () => Parallelism(reference));
        log.Run(ConformanceChecks.EmbedderThreadSafety, () => ThreadSafety(reference));
        log.Run(ConformanceChecks.EmbedderProgress, ProgressAndCancellation);
        log.Run(ConformanceChecks.EmbedderIdentityStable, IdentityStable);
        log.Run(ConformanceChecks.EmbedderIdentityTracksOutput, () => IdentityTracksOutput(reference));
    }

    private string EmptyInput()
    {
        var none = embedder.Embed([]);
        CheckLog.Require(none.Rows == 0, $"zero texts gave {none.Rows} rows.");
        CheckLog.Require(none.Columns == 0 || none.Columns == embedder.Dimension,
            $"zero texts gave 0 x {none.Columns}; expected 0 x {embedder.Dimension} (or 0 x 0).");
        string?[] blanks = [null, "", "   ", "\t\n"];
        var matrix = embedder.Embed(blanks);
        CheckLog.Require(matrix.Rows == blanks.Length, $"{blanks.Length} blank texts gave {matrix.Rows} rows.");
        var bad = matrix.FirstNonFiniteRow();
        CheckLog.Require(bad < 0, $"blank text {bad} gave a vector with NaN or infinity.");
        var nullVersusEmpty = Comparison.RowDifference(matrix, 0, matrix, 1);
        CheckLog.Require(nullVersusEmpty <= Settings.Tolerance,
            $"null and \"\" gave different vectors (max |diff| {Format(nullVersusEmpty)}); null is no content, as \"\" is.");
        return $"zero texts -> 0 x {none.Columns}; null, \"\", spaces and tabs -> finite rows, null = \"\".";
    }

    private string Deterministic(EmbeddingMatrix reference)
    {
        var again = embedder.Embed(Texts);
        var sameInstance = Comparison.MaxAbsDifference(reference, again);
        CheckLog.Require(sameInstance <= Settings.RepeatTolerance,
            $"embedding the same texts twice with one instance differs by up to {Format(sameInstance)}.");
        var fresh = Fresh<IEmbedder>().Embed(Texts);
        var newInstance = Comparison.MaxAbsDifference(reference, fresh);
        CheckLog.Require(newInstance <= Settings.RepeatTolerance,
            $"a new instance with the same options and seed differs by up to {Format(newInstance)}.");
        return $"same instance and a new one with seed {Settings.Seed}: max |diff| {Format(Math.Max(sameInstance, newInstance))}.";
    }

    private string BatchInvariance(EmbeddingMatrix reference)
    {
        // An embedder fitted on its batch (IEmbedder.DependsOnBatch) may give a text alone another vector; the order of
        // the batch must still not matter.
        double alone = 0, reversed = 0;
        if (!embedder.DependsOnBatch)
            for (int i = 0; i < Texts.Count; i++)
                alone = Math.Max(alone, Comparison.RowDifference(embedder.Embed([Texts[i]]), 0, reference, i));
        var backwards = embedder.Embed(Texts.Reverse().ToArray());
        for (int i = 0; i < Texts.Count; i++)
            reversed = Math.Max(reversed, Comparison.RowDifference(backwards, Texts.Count - 1 - i, reference, i));
        if (embedder.DependsOnBatch)
        {
            CheckLog.Require(reversed <= Settings.Tolerance,
                $"reversing the batch changes vectors by up to {Format(reversed)} (tolerance {Format(Settings.Tolerance)}).");
            return $"depends on its batch (DependsOnBatch), so a text alone is not compared; reversed batch {Format(reversed)}.";
        }
        CheckLog.Require(alone <= Settings.Tolerance,
            $"a text embedded alone differs from the same text in a batch by up to {Format(alone)} (tolerance {Format(Settings.Tolerance)}).");
        CheckLog.Require(reversed <= Settings.Tolerance,
            $"reversing the batch changes vectors by up to {Format(reversed)} (tolerance {Format(Settings.Tolerance)}).");
        return $"alone vs in batch max |diff| {Format(alone)}, reversed batch {Format(reversed)}.";
    }

    private string Parallelism(EmbeddingMatrix reference)
    {
        EmbeddingMatrix one, two;
        using (KernelParallelism.Override(1)) one = embedder.Embed(Texts);
        using (KernelParallelism.Override(2)) two = embedder.Embed(Texts);
        var difference = Math.Max(Comparison.MaxAbsDifference(one, two), Comparison.MaxAbsDifference(one, reference));
        CheckLog.Require(difference <= Settings.Tolerance,
            $"one and two kernel threads give vectors differing by up to {Format(difference)}.");
        return $"1 vs 2 kernel threads max |diff| {Format(difference)}.";
    }

    private string ThreadSafety(EmbeddingMatrix reference)
    {
        int callers = Math.Max(2, Settings.ConcurrentCallers);
        var results = new EmbeddingMatrix?[callers];
        var errors = new Exception?[callers];
        using var start = new Barrier(callers);
        var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
        {
            try
            {
                // Each caller sends the texts rotated by its index, so the callers' batches differ.
                var rotated = Texts.Skip(c % Texts.Count).Concat(Texts.Take(c % Texts.Count)).ToArray();
                start.SignalAndWait();
                results[c] = embedder.Embed(rotated);
            }
            catch (Exception e)
            {
                errors[c] = e;
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        var failed = errors.FirstOrDefault(e => e is not null);
        CheckLog.Require(failed is null, $"embedding from {callers} threads at once threw {(failed is null ? "" : CheckLog.Describe(failed))}.");
        double worst = 0;
        for (int c = 0; c < callers; c++)
            for (int i = 0; i < Texts.Count; i++)
                worst = Math.Max(worst, Comparison.RowDifference(results[c]!, i, reference, (i + c) % Texts.Count));
        CheckLog.Require(worst <= Settings.Tolerance,
            $"{callers} threads embedding at once with one instance get vectors differing by up to {Format(worst)}.");
        return $"{callers} threads at once on one instance: max |diff| {Format(worst)}.";
    }

    private string ProgressAndCancellation()
    {
        var reports = new List<EmbeddingProgress>();
        embedder.Embed(Texts, new Recorder(reports));
        var bad = reports.FirstOrDefault(r => r.Total != Texts.Count || r.Done < 0 || r.Done > r.Total);
        CheckLog.Require(bad == default || reports.Count == 0,
            $"progress reported {bad.Done} of {bad.Total} while embedding {Texts.Count} texts.");
        CheckLog.Require(reports.Count == 0 || reports.Max(r => r.Done) == Texts.Count,
            $"progress never reached {Texts.Count} (last {reports.Max(r => r.Done)}).");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        string cancellation;
        try
        {
            var matrix = embedder.Embed(Texts, null, cancelled.Token);
            CheckLog.Require(matrix.Rows == Texts.Count, $"with a cancelled token it returned {matrix.Rows} rows for {Texts.Count} texts.");
            cancellation = "a cancelled token is only checked between batches (the job finished)";
        }
        catch (OperationCanceledException)
        {
            cancellation = "a cancelled token stops the job";
        }
        return $"{reports.Count} progress report(s), last {(reports.Count == 0 ? "-" : reports[^1].ToString())}; {cancellation}.";
    }

    private string IdentityStable()
    {
        CheckLog.Require(!string.IsNullOrWhiteSpace(embedder.Identity), "Identity is empty; it is the embedding cache key.");
        var same = Fresh<IEmbedder>();
        CheckLog.Require(same.Identity == embedder.Identity,
            $"a new instance with equal options and seed has Identity '{same.Identity}', not '{embedder.Identity}'.");
        // The run seed is an input too: if it changes the vectors, it must change the cache key, and otherwise not.
        var reseeded = Fresh<IEmbedder>(Settings.Seed + 1);
        var difference = Comparison.MaxAbsDifference(embedder.Embed(Texts), reseeded.Embed(Texts));
        bool outputChanged = difference > Settings.Tolerance, identityChanged = reseeded.Identity != embedder.Identity;
        CheckLog.Require(!outputChanged || identityChanged,
            $"another run seed changes the vectors (max |diff| {Format(difference)}) but not Identity '{embedder.Identity}'.");
        CheckLog.Require(outputChanged || !identityChanged,
            $"another run seed changes Identity ('{embedder.Identity}' -> '{reseeded.Identity}') but not the vectors.");
        return $"Identity '{embedder.Identity}', equal for equal options; the run seed {(outputChanged ? "changes both vectors and Identity" : "changes neither")}.";
    }

    private string IdentityTracksOutput(EmbeddingMatrix reference)
    {
        var baseOptions = Plugin.BaseOptions();
        var problems = new List<string>();
        var tried = new List<string>();
        foreach (var option in Plugin.Options)
        {
            var name = OptionsBinder.OptionName(option);
            foreach (var (value, options) in OptionValueChecks.Variants(Plugin, baseOptions, option))
            {
                IEmbedder variant;
                EmbeddingMatrix output;
                try
                {
                    variant = (IEmbedder)Plugin.Create(options);
                    output = variant.Embed(Texts);
                }
                catch (ArgumentException)
                {
                    // Valid to the binder, not to the plugin or these texts (a missing model folder, a width limit
                    // the sample vocabulary exceeds): the contract's clear error, not a cache question.
                    continue;
                }
                var difference = Comparison.MaxAbsDifference(reference, output);
                bool outputChanged = difference > Settings.Tolerance, identityChanged = variant.Identity != embedder.Identity;
                tried.Add($"{name} = {value}");
                if (outputChanged && !identityChanged)
                    problems.Add($"{name} = {value} changes the vectors (max |diff| {Format(difference)}) but not Identity " +
                        $"('{variant.Identity}'), so the cache would serve stale vectors");
                else if (!outputChanged && identityChanged)
                    problems.Add($"{name} = {value} changes Identity ('{embedder.Identity}' -> '{variant.Identity}') but not the " +
                        "vectors, so equal vectors are cached twice (leave options that do not change the vectors out of Identity)");
            }
        }
        CheckLog.Require(problems.Count == 0, string.Join("; ", problems) + ".");
        return tried.Count == 0
            ? "no option variants to try (give some through ConformanceOptions.OptionVariants)."
            : $"Identity changes exactly when the vectors do, for {string.Join(", ", tried)}.";
    }

    /// <summary>Records progress synchronously (Progress&lt;T&gt; would post to a thread pool and arrive late).</summary>
    private sealed class Recorder(List<EmbeddingProgress> reports) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
