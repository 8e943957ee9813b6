using System.Globalization;

namespace KpLab.Reporting;

/// <summary>
/// One paired comparison of a reference level with another level across units (e.g. correct answers against partially
/// correct ones, one pair per question): reference minus level.
/// </summary>
/// <param name="Reference">The reference level, e.g. "correct".</param>
/// <param name="Level">The level compared with it.</param>
/// <param name="MeanDifference">Mean of reference − level over pairs.</param>
/// <param name="Low">Lower end of the mean's interval.</param>
/// <param name="High">Upper end of the mean's interval.</param>
/// <param name="Positive">Pairs where the reference is larger.</param>
/// <param name="Pairs">Pairs compared.</param>
/// <param name="P">The test's two-sided p-value (NaN when it was not run).</param>
/// <param name="AdjustedP">The p-value adjusted for the multiple comparisons of the report (e.g. Holm's).</param>
public sealed record PairedComparison(string Reference, string Level, double MeanDifference, double Low, double High, int Positive, int Pairs,
    double P, double AdjustedP);

/// <summary>How a set of paired comparisons reads: does the reference exceed every other level?</summary>
public enum PairedReading
{
    /// <summary>No comparison has a p-value.</summary>
    NotTested,

    /// <summary>The reference is significantly larger than every other level.</summary>
    Holds,

    /// <summary>Significantly larger than some levels, not than others.</summary>
    Mixed,

    /// <summary>Significantly larger than none.</summary>
    DoesNotHold,
}

/// <summary>
/// A plain-language verdict from paired comparisons, worded from the numbers: whether the reference level is
/// significantly larger than every other level (adjusted p below the level, mean difference positive), than some, or
/// than none; each comparison is quoted with its mean difference, interval, sign count and p-values.
/// </summary>
public static class PairedVerdict
{
    /// <summary>Reads <paramref name="comparisons"/> at significance level <paramref name="alpha"/> on the adjusted p-values.</summary>
    public static PairedReading Read(IReadOnlyList<PairedComparison> comparisons, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var tested = comparisons.Where(c => double.IsFinite(c.AdjustedP)).ToList();
        if (tested.Count == 0) return PairedReading.NotTested;
        int larger = tested.Count(c => IsLarger(c, alpha));
        return larger == comparisons.Count ? PairedReading.Holds : larger == 0 ? PairedReading.DoesNotHold : PairedReading.Mixed;
    }

    /// <summary>
    /// The verdict and its numbers: <see cref="Headline"/> followed by each comparison with its mean difference,
    /// interval, sign count and p-values.
    /// </summary>
    /// <param name="subject">What was compared, e.g. "minilm, within-label cosine (raw)".</param>
    /// <param name="comparisons">The comparisons of one subject.</param>
    /// <param name="larger">How "larger" reads for this quantity, e.g. "denser".</param>
    /// <param name="smaller">How "smaller" reads, e.g. "less dense".</param>
    /// <param name="test">The test's name as it should appear, e.g. "Wilcoxon signed-rank".</param>
    /// <param name="pairs">What a pair is, plural, e.g. "questions".</param>
    /// <param name="alpha">The significance level on adjusted p-values.</param>
    public static string Describe(string subject, IReadOnlyList<PairedComparison> comparisons, string larger, string smaller, string test,
        string pairs = "pairs", double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var headline = Headline(subject, comparisons, larger, smaller, alpha);
        return comparisons.Count == 0 ? headline : $"{headline} {Quote(comparisons, test, pairs)}.";
    }

    /// <summary>
    /// One sentence, "<paramref name="subject"/>: the pattern holds / mixed / the pattern does not hold: …", naming
    /// which levels the reference is significantly larger than, which it is not, and which it is significantly smaller
    /// than, with the smallest adjusted p-value that decides it.
    /// </summary>
    /// <param name="subject">What was compared.</param>
    /// <param name="comparisons">The comparisons of one subject.</param>
    /// <param name="larger">How "larger" reads for this quantity, e.g. "denser".</param>
    /// <param name="smaller">How "smaller" reads, e.g. "less dense".</param>
    /// <param name="alpha">The significance level on adjusted p-values.</param>
    public static string Headline(string subject, IReadOnlyList<PairedComparison> comparisons, string larger, string smaller, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var reading = Read(comparisons, alpha);
        if (comparisons.Count == 0) return $"{subject}: nothing to compare.";
        var reference = comparisons[0].Reference;
        if (reading == PairedReading.NotTested) return $"{subject}: not tested (no p-values).";
        var above = comparisons.Where(c => IsLarger(c, alpha)).ToList();
        var below = comparisons.Where(c => c.MeanDifference < 0 && c.AdjustedP < alpha).ToList();
        var neither = comparisons.Except(above).Except(below).ToList();
        string Tail()
        {
            var parts = new List<string>();
            if (neither.Count > 0) parts.Add($"not significantly {larger} than {List(neither, c => $"{c.Level} (adjusted p = {FormatP(c.AdjustedP)})")}");
            if (below.Count > 0) parts.Add($"significantly {smaller} than {List(below, c => $"{c.Level} (adjusted p = {FormatP(c.AdjustedP)})")}");
            return string.Join(", and ", parts);
        }
        var verdict = reading switch
        {
            PairedReading.Holds => $"the pattern holds: {reference} answers are significantly {larger} than every other label (largest adjusted p = {FormatP(above.Max(c => c.AdjustedP))})",
            PairedReading.Mixed => $"mixed: {reference} answers are significantly {larger} than {List(above, c => c.Level)} (adjusted p {(above.Count == 1 ? "=" : "≤")} {FormatP(above.Max(c => c.AdjustedP))}), but {Tail()}",
            _ => $"the pattern does not hold: {reference} answers are {Tail()}",
        };
        return $"{subject}: {verdict}.";
    }

    /// <summary>A p-value as a reader wants it: three decimals, or two significant digits in scientific notation below 0.001.</summary>
    public static string FormatP(double p) =>
        !double.IsFinite(p) ? "n/a" : p >= 0.001 ? p.ToString("0.000", CultureInfo.InvariantCulture) : p.ToString("0.0E+0", CultureInfo.InvariantCulture);

    private static bool IsLarger(PairedComparison c, double alpha) => c.MeanDifference > 0 && c.AdjustedP < alpha;

    private static string List(IReadOnlyList<PairedComparison> items, Func<PairedComparison, string> text) => items.Count switch
    {
        0 => "",
        1 => text(items[0]),
        _ => string.Join(", ", items.Take(items.Count - 1).Select(text)) + " and " + text(items[^1]),
    };

    private static string Quote(IReadOnlyList<PairedComparison> comparisons, string test, string pairs) =>
        string.Join("; ", comparisons.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c.Reference} − {c.Level}: {c.MeanDifference:+0.000;-0.000;0.000} [{c.Low:0.000}, {c.High:0.000}], positive in {c.Positive} of {c.Pairs} {pairs}, {test} p = {FormatP(c.P)}, adjusted {FormatP(c.AdjustedP)}")));
}
