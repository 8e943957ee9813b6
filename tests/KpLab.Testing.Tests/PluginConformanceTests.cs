using KpLab.Abstractions;

namespace KpLab.Testing.Tests;

/// <summary>The kit passes well-behaved plugins and names the rule each broken one breaks.</summary>
public sealed class PluginConformanceTests
{
    private static ConformanceReport Check<T>() => PluginConformance.Check<T>();

    private static void AssertFails(ConformanceReport report, string check, string fragment)
    {
        var result = report[check];
        Assert.True(result.Outcome == CheckOutcome.Failed, $"{check} should fail:\n{report}");
        Assert.Contains(fragment, result.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void WellBehavedEmbedderPassesEveryCheck()
    {
        var report = PluginConformance.AssertConforms<HashEmbedder>();
        Assert.Equal("test-hash", report.PluginName);
        Assert.Equal(PluginKind.Embedder, report.Kind);
        Assert.DoesNotContain(report.Checks, c => c.Outcome == CheckOutcome.Skipped);
        // dimension and lowercase change the vectors and Identity; batchSize changes neither.
        Assert.Contains("dimension = 17", report[ConformanceChecks.EmbedderIdentityTracksOutput].Message);
        Assert.Contains("lowercase = False", report[ConformanceChecks.EmbedderIdentityTracksOutput].Message);
        Assert.Contains("batchSize = 5", report[ConformanceChecks.EmbedderIdentityTracksOutput].Message);
        Assert.Contains("4 bad value(s) on numeric options: 4 refused", report[ConformanceChecks.BadValues].Message);
    }

    [Fact]
    public void IdentityThatIgnoresAnOutputChangingOptionFails() =>
        AssertFails(Check<StaleIdentityEmbedder>(), ConformanceChecks.EmbedderIdentityTracksOutput, "dimension = 17 changes the vectors");

    [Fact]
    public void IdentityThatCarriesAnOptionWithoutEffectFails() =>
        AssertFails(Check<ChattyIdentityEmbedder>(), ConformanceChecks.EmbedderIdentityTracksOutput, "batchSize = 5 changes Identity");

    [Fact]
    public void BatchDependentVectorsFail() =>
        AssertFails(Check<BatchDependentEmbedder>(), ConformanceChecks.EmbedderBatchInvariance, "alone differs");

    [Fact]
    public void SharedScratchStateFailsTheThreadCheck() =>
        AssertFails(Check<ThreadUnsafeEmbedder>(), ConformanceChecks.EmbedderThreadSafety, "threads");

    [Fact]
    public void VectorsThatDriftBetweenCallsFailDeterminism() =>
        AssertFails(Check<DriftingEmbedder>(), ConformanceChecks.EmbedderDeterministic, "twice with one instance");

    [Fact]
    public void BadNameMissingDescriptionAndUndocumentedOptionFail()
    {
        var report = Check<BadMetadataMetric>();
        AssertFails(report, ConformanceChecks.Attribute, "'Bad_Name' is not lower-case");
        AssertFails(report, ConformanceChecks.Attribute, "no Description");
        AssertFails(report, ConformanceChecks.OptionsDocumented, "undocumented");
        Assert.DoesNotContain("documented,", report[ConformanceChecks.OptionsDocumented].Message);
    }

    [Fact]
    public void TypeWithoutAttributeFailsAndStops()
    {
        var report = Check<string>();
        AssertFails(report, ConformanceChecks.Attribute, "no [KpLabPlugin");
        Assert.False(report.Passed);
        Assert.Throws<ConformanceException>(() => PluginConformance.AssertConforms<string>());
    }

    [Fact]
    public void WellBehavedClustererAndMetricPass()
    {
        PluginConformance.AssertConforms<ThresholdClusterer>();
        var metric = PluginConformance.AssertConforms<AgreementMetric>();
        Assert.Contains("reads Predicted, Truth;", metric[ConformanceChecks.MetricInputErrors].Message);
    }

    [Fact]
    public void CarelessClustererFailsDeterminismEdgeInputsNonFiniteAndBadOptions()
    {
        var report = Check<CarelessClusterer>();
        AssertFails(report, ConformanceChecks.ClustererDeterministic, "different labels");
        AssertFails(report, ConformanceChecks.ClustererEmptyInput, "IndexOutOfRange");
        AssertFails(report, ConformanceChecks.ClustererNonFinite, "was accepted");
        AssertFails(report, ConformanceChecks.BadValues, "buckets = 0: Validate accepts it but the plugin then throws DivideByZeroException");
    }

    [Fact]
    public void SloppyMetricFailsItsNameMissingPartsAndMutation()
    {
        var report = Check<SloppyMetric>();
        AssertFails(report, ConformanceChecks.MetricResult, "named 'sloppy'");
        AssertFails(report, ConformanceChecks.MetricInputErrors, "without Predicted: NullReferenceException");
        AssertFails(report, ConformanceChecks.MetricDoesNotMutate, "changed the predicted partition's labels");
    }

    [Fact]
    public void UntypedRowsAndTheWrongExceptionOnCancellationFail()
    {
        var report = Check<LegacyRowsMetric>();
        AssertFails(report, ConformanceChecks.MetricTypedRows, "untyped row(s); declare them as a record");
        AssertFails(report, ConformanceChecks.MetricCancellation, "InvalidOperationException");
        var agreement = Check<AgreementMetric>();
        Assert.Equal(CheckOutcome.Passed, agreement[ConformanceChecks.MetricTypedRows].Outcome);
        Assert.Equal(CheckOutcome.Passed, agreement[ConformanceChecks.MetricCancellation].Outcome);
    }

    [Fact]
    public void SkippedChecksAreReportedAsSkipped()
    {
        var report = PluginConformance.Check<SloppyMetric>(new ConformanceOptions
        {
            SkipChecks = new HashSet<string> { ConformanceChecks.MetricResult, ConformanceChecks.MetricInputErrors },
        });
        Assert.Equal(CheckOutcome.Skipped, report[ConformanceChecks.MetricResult].Outcome);
        Assert.Equal(CheckOutcome.Skipped, report[ConformanceChecks.MetricInputErrors].Outcome);
        Assert.Equal(CheckOutcome.Failed, report[ConformanceChecks.MetricDoesNotMutate].Outcome);
    }

    [Fact]
    public void ReportTextListsFailuresFirst()
    {
        var text = Check<StaleIdentityEmbedder>().ToString();
        Assert.StartsWith("Does not conform: embedder 'test-stale-identity'", text);
        Assert.Contains("[FAILED] embedder.identity-tracks-output", text.Split('\n')[1]);
    }

    [Fact]
    public void SyntheticInputsAreDeterministic()
    {
        Assert.Equal(SyntheticData.Blobs().ToArray(), SyntheticData.Blobs().ToArray());
        var input = SyntheticData.Evaluation();
        Assert.Equal(60, input.RequireSameLength("x"));
        Assert.Equal(2, input.Predicted!.NoiseCount);
        Assert.Equal(4, input.Truth!.Names.Count);
    }
}
