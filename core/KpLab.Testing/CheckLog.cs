namespace KpLab.Testing;

/// <summary>A broken rule, thrown inside a check with the message the report shows.</summary>
internal sealed class ConformanceFailure(string message) : Exception(message);

/// <summary>Runs checks one by one, turning each into a <see cref="CheckResult"/>; a check never stops the others.</summary>
internal sealed class CheckLog(IReadOnlySet<string> skipped)
{
    private readonly List<CheckResult> results = [];

    public IReadOnlyList<CheckResult> Results => results;

    public bool Failed(string check) => results.Any(r => r.Check == check && r.Outcome == CheckOutcome.Failed);

    /// <summary>Runs <paramref name="body"/>, which returns what it verified or throws <see cref="ConformanceFailure"/>.</summary>
    public void Run(string check, Func<string> body)
    {
        if (skipped.Contains(check))
        {
            Skip(check, "switched off by ConformanceOptions.SkipChecks.");
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        CheckResult result;
        try
        {
            result = new CheckResult(check, CheckOutcome.Passed, body());
        }
        catch (ConformanceFailure failure)
        {
            result = new CheckResult(check, CheckOutcome.Failed, failure.Message);
        }
        catch (Exception e)
        {
            result = new CheckResult(check, CheckOutcome.Failed, $"unexpected {Describe(e)}");
        }
        results.Add(result with { Elapsed = clock.Elapsed });
    }

    public void Skip(string check, string reason) => results.Add(new CheckResult(check, CheckOutcome.Skipped, reason));

    public static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    public static void Require(bool condition, string message)
    {
        if (!condition) throw new ConformanceFailure(message);
    }
}
