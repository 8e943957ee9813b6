using System.Text;
using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>How one conformance check ended.</summary>
public enum CheckOutcome
{
    /// <summary>The plugin behaved as the contract asks.</summary>
    Passed,

    /// <summary>The plugin broke the rule; the message says how.</summary>
    Failed,

    /// <summary>The check did not apply or was switched off (<see cref="ConformanceOptions.SkipChecks"/>).</summary>
    Skipped,
}

/// <summary>The outcome of one check.</summary>
/// <param name="Check">The check's name, e.g. "embedder.batch-invariance" (see <see cref="ConformanceChecks"/>).</param>
/// <param name="Outcome">Passed, failed or skipped.</param>
/// <param name="Message">What was verified, or what went wrong.</param>
public sealed record CheckResult(string Check, CheckOutcome Outcome, string Message)
{
    /// <summary>How long the check took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"[{Outcome.ToString().ToUpperInvariant()}] {Check}: {Message}" +
        (Elapsed.TotalSeconds >= 0.1 ? $" ({Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} s)" : "");
}

/// <summary>What <see cref="PluginConformance.Check(Type, ConformanceOptions?)"/> found for one plugin type.</summary>
public sealed class ConformanceReport
{
    internal ConformanceReport(Type pluginType, string? pluginName, PluginKind? kind, IReadOnlyList<CheckResult> checks)
    {
        PluginType = pluginType;
        PluginName = pluginName;
        Kind = kind;
        Checks = checks;
    }

    /// <summary>The plugin class checked.</summary>
    public Type PluginType { get; }

    /// <summary>The plugin's script name from its <see cref="KpLabPluginAttribute"/>, or null when it has none.</summary>
    public string? PluginName { get; }

    /// <summary>The plugin's kind, or null when it has no <see cref="KpLabPluginAttribute"/>.</summary>
    public PluginKind? Kind { get; }

    /// <summary>Every check run, in order.</summary>
    public IReadOnlyList<CheckResult> Checks { get; }

    /// <summary>The checks that failed.</summary>
    public IReadOnlyList<CheckResult> Failures => Checks.Where(c => c.Outcome == CheckOutcome.Failed).ToArray();

    /// <summary>Whether no check failed.</summary>
    public bool Passed => Checks.All(c => c.Outcome != CheckOutcome.Failed);

    /// <summary>The result of the check named <paramref name="check"/>.</summary>
    /// <exception cref="KeyNotFoundException">No check of that name ran.</exception>
    public CheckResult this[string check] => Checks.FirstOrDefault(c => c.Check == check)
        ?? throw new KeyNotFoundException($"No check named '{check}' ran; checks: {string.Join(", ", Checks.Select(c => c.Check))}.");

    /// <summary>A summary line followed by one line per check.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var name = PluginName is null ? PluginType.FullName : $"{Kind?.ToString().ToLowerInvariant()} '{PluginName}' ({PluginType.FullName})";
        text.Append(Passed ? "Conforms: " : "Does not conform: ").Append(name).Append(" — ")
            .Append(Checks.Count(c => c.Outcome == CheckOutcome.Passed)).Append(" passed, ")
            .Append(Failures.Count).Append(" failed, ")
            .Append(Checks.Count(c => c.Outcome == CheckOutcome.Skipped)).AppendLine(" skipped");
        foreach (var check in Checks.OrderBy(c => c.Outcome == CheckOutcome.Failed ? 0 : 1))
            text.Append("  ").AppendLine(check.ToString());
        return text.ToString();
    }
}

/// <summary>Thrown by <see cref="PluginConformance.AssertConforms(Type, ConformanceOptions?)"/> when a check fails; the message is the report.</summary>
public sealed class ConformanceException : Exception
{
    /// <summary>Creates the exception for a failed report.</summary>
    public ConformanceException(ConformanceReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).ToString()) => Report = report;

    /// <summary>The report with the failed checks.</summary>
    public ConformanceReport Report { get; }
}
