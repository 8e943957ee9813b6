using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Kernels;

namespace KpLab.Testing;

/// <summary>The metric contract: a named finite result, determinism, clear errors for missing or mismatched parts.</summary>
internal sealed class MetricChecks(PluginUnderTest plugin, IMetric metric) : KindChecks(plugin)
{
    // Per instance: a metric that mutates its input must not spoil the input of other checks or plugins.
    private readonly EvaluationInput Input = SyntheticData.Evaluation();

    public override void Exercise(object instance) => ((IMetric)instance).Evaluate(Input);

    public override void Run(CheckLog log)
    {
        var (reference, error) = Attempt(() => metric.Evaluate(Input));
        log.Run(ConformanceChecks.MetricResult, () => Result(reference ?? throw Failure("the sample input", error!)));
        if (reference is null)
        {
            log.Skip("(metric checks)", "the rest need the result on the sample input.");
            return;
        }
        log.Run(ConformanceChecks.MetricDeterministic, () =>
        {
            var again = Comparison.MetricDifference(reference, metric.Evaluate(Input));
            var fresh = Comparison.MetricDifference(reference, Fresh<IMetric>().Evaluate(Input));
            CheckLog.Require(again <= Settings.RepeatTolerance, $"evaluating the same input twice differs by up to {Format(again)}.");
            CheckLog.Require(fresh <= Settings.RepeatTolerance, $"a new instance with the same options differs by up to {Format(fresh)}.");
            return "the same input gives the same value, components and rows, from the same and a new instance.";
        });
        log.Run(ConformanceChecks.MetricParallelism, () =>
        {
            MetricResult one, two;
            using (KernelParallelism.Override(1)) one = metric.Evaluate(Input);
            using (KernelParallelism.Override(2)) two = metric.Evaluate(Input);
            var difference = Math.Max(Comparison.MetricDifference(one, two), Comparison.MetricDifference(one, reference));
            CheckLog.Require(difference <= Settings.Tolerance, $"one and two kernel threads differ by up to {Format(difference)}.");
            return $"1 vs 2 kernel threads: max relative difference {Format(difference)}.";
        });
        log.Run(ConformanceChecks.MetricTypedRows, () => TypedRows(reference));
        log.Run(ConformanceChecks.MetricCancellation, Cancellation);
        log.Run(ConformanceChecks.MetricInputErrors, () => InputErrors(reference));
        log.Run(ConformanceChecks.MetricEmptyInput, EmptyInput);
        log.Run(ConformanceChecks.MetricDoesNotMutate, () =>
        {
            var input = SyntheticData.Evaluation();
            var labels = (int[])input.Predicted!.Labels.Clone();
            var codes = input.Truth!.Codes.ToArray();
            metric.Evaluate(input);
            CheckLog.Require(labels.SequenceEqual(input.Predicted.Labels), "Evaluate changed the predicted partition's labels.");
            CheckLog.Require(codes.SequenceEqual(input.Truth.Codes), "Evaluate changed the expert labels.");
            return "the partition's labels and the expert labels are unchanged.";
        });
    }

    private string Result(MetricResult result)
    {
        CheckLog.Require(result.Metric == Plugin.Name, $"the result is named '{result.Metric}'; it should be the plugin's name '{Plugin.Name}'.");
        CheckLog.Require(double.IsFinite(result.Value), $"the value on a well-formed input is {result.Value}.");
        var duplicate = result.Rows.GroupBy(r => r.Key).FirstOrDefault(g => g.Count() > 1);
        CheckLog.Require(duplicate is null, $"two rows share the key '{duplicate?.Key}'.");
        var infinite = result.Components.FirstOrDefault(c => double.IsInfinity(c.Value));
        CheckLog.Require(infinite.Key is null, $"component '{infinite.Key}' is infinite.");
        return $"{result} on {Input.Predicted!.Count} rows, {result.Rows.Count} row(s), {result.Components.Count} component(s).";
    }

    private string TypedRows(MetricResult result)
    {
        var declared = PluginRules.MetricRowType(Plugin.Type);
        if (declared is null)
        {
            CheckLog.Require(result.Rows.Count == 0,
                $"it returns {result.Rows.Count} untyped row(s); declare them as a record (a [MetricKey] property, then the statistics) " +
                "and implement IMetric<TRow>, returning a MetricResult<TRow>, so that kplab plugins lists the columns.");
            return "no rows, and no row type declared.";
        }
        var columns = MetricRowSchema.Columns(declared);
        CheckLog.Require(result.RowType == declared,
            $"it declares IMetric<{declared.Name}> but its result carries {(result.RowType is null ? "no typed rows" : result.RowType.Name)}.");
        return $"{result.Rows.Count} {declared.Name} row(s): {string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"))}.";
    }

    private string Cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var input = new EvaluationInput
        {
            Embeddings = Input.Embeddings, Predicted = Input.Predicted, Truth = Input.Truth, QualityOrder = Input.QualityOrder,
            CancellationToken = cancelled.Token,
        };
        try
        {
            return $"a cancelled token -> {metric.Evaluate(input)} (quick enough not to check it).";
        }
        catch (OperationCanceledException)
        {
            return "a cancelled token -> OperationCanceledException.";
        }
    }

    /// <summary>
    /// Finds the parts the metric reads (removing one changes the result or makes it refuse), then checks that a
    /// missing part gives an ArgumentException and a part one row short is refused.
    /// </summary>
    private string InputErrors(MetricResult reference)
    {
        var used = new List<string>();
        var problems = new List<string>();
        foreach (var (part, without, shortened) in Variants())
        {
            try
            {
                if (Comparison.MetricDifference(reference, metric.Evaluate(without)) > Settings.Tolerance) used.Add(part);
            }
            catch (ArgumentException)
            {
                used.Add(part);
            }
            catch (Exception e)
            {
                problems.Add($"without {part}: {CheckLog.Describe(e)} (a missing part gives an ArgumentException naming the metric; see EvaluationInput.Require{part})");
                continue;
            }
            if (shortened is null || !used.Contains(part)) continue;
            try
            {
                metric.Evaluate(shortened);
                problems.Add($"{part} one row shorter than the rest was accepted (call input.RequireSameLength(\"{Plugin.Name}\"))");
            }
            catch (ArgumentException)
            {
            }
            catch (Exception e)
            {
                problems.Add($"{part} one row short: {CheckLog.Describe(e)} instead of an ArgumentException");
            }
        }
        CheckLog.Require(problems.Count == 0, string.Join("; ", problems) + ".");
        return used.Count == 0
            ? "reads none of the parts (a constant?)."
            : $"reads {string.Join(", ", used)}; each missing or one row short gives an ArgumentException.";
    }

    private IEnumerable<(string Part, EvaluationInput Without, EvaluationInput? Shortened)> Variants()
    {
        var rows = Input.Predicted!.Count;
        var keep = Enumerable.Range(0, rows - 1).ToArray();
        yield return ("Embeddings",
            With(null, Input.Predicted, Input.Truth, Input.QualityOrder),
            With(Input.Embeddings!.SelectRows(keep), Input.Predicted, Input.Truth, Input.QualityOrder));
        yield return ("Predicted",
            With(Input.Embeddings, null, Input.Truth, Input.QualityOrder),
            With(Input.Embeddings, new Partition(Input.Predicted.Labels[..^1]), Input.Truth, Input.QualityOrder));
        yield return ("Truth",
            With(Input.Embeddings, Input.Predicted, null, Input.QualityOrder),
            With(Input.Embeddings, Input.Predicted, LabelVector.FromStrings(keep.Select(i => Input.Truth![i]).ToArray()), Input.QualityOrder));
        yield return ("QualityOrder", With(Input.Embeddings, Input.Predicted, Input.Truth, null), null);
    }

    private static EvaluationInput With(EmbeddingMatrix? embeddings, Partition? predicted, LabelVector? truth,
        IReadOnlyList<string>? order) =>
        new() { Embeddings = embeddings, Predicted = predicted, Truth = truth, QualityOrder = order };

    private string EmptyInput()
    {
        var empty = new EvaluationInput
        {
            Embeddings = EmbeddingMatrix.Create(0, Input.Embeddings!.Columns, _ => { }),
            Predicted = new Partition([]),
            Truth = Array.Empty<string>(),
            QualityOrder = SyntheticData.QualityOrder,
        };
        try
        {
            var result = metric.Evaluate(empty);
            CheckLog.Require(!double.IsInfinity(result.Value), $"zero rows gave {result.Value}; use NaN for undefined.");
            return $"zero rows -> {result}.";
        }
        catch (ArgumentException)
        {
            return "zero rows -> ArgumentException.";
        }
    }
}
