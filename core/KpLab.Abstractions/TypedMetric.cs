namespace KpLab.Abstractions;

/// <summary>
/// A metric whose rows are records of type <typeparamref name="TRow"/>. Implementing it declares the row type in the
/// plugin's metadata, so <c>kplab plugins</c> lists the metric's output columns without running it; callers holding
/// the concrete metric get the typed rows directly.
/// </summary>
/// <typeparam name="TRow">The row record type (see <see cref="MetricRowSchema"/>).</typeparam>
public interface IMetric<TRow> : IMetric where TRow : notnull
{
    /// <summary>Evaluates the metric on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A needed part is missing or the parts disagree (the message names the metric).</exception>
    /// <exception cref="OperationCanceledException"><see cref="EvaluationInput.CancellationToken"/> was cancelled.</exception>
    new MetricResult<TRow> Evaluate(EvaluationInput input);

    /// <inheritdoc />
    MetricResult IMetric.Evaluate(EvaluationInput input) => Evaluate(input);
}
