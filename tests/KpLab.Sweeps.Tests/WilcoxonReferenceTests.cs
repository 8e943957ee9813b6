using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Sweeps.Tests;

/// <summary>
/// The Wilcoxon signed-rank test against SciPy 1.10.1's <c>scipy.stats.wilcoxon(d)</c> with its defaults, and Holm's
/// correction against a numpy reference and a textbook example (Fixtures/wilcoxon_reference.py made wilcoxon.json).
/// </summary>
public sealed class WilcoxonReferenceTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wilcoxon.json"))).RootElement;

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();

    private static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual:R}"); return; }
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1e-300, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R} (relative {Math.Abs(expected - actual) / Math.Abs(expected):E2})");
    }

    public static TheoryData<string> Cases() => new(Fixture.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Cases))]
    public void P_value_and_statistic_equal_scipys(string name)
    {
        var c = Fixture.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var d = c.GetProperty("d").EnumerateArray().Select(Number).ToArray();
        if (c.GetProperty("error").ValueKind == JsonValueKind.String)
        {
            // SciPy: ValueError "zero_method 'wilcox' and 'pratt' do not work if x - y is zero for all elements."
            var e = Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test(d));
            Assert.Contains($"all {d.Length} differences are zero", e.Message);
            return;
        }
        var result = WilcoxonSignedRank.Test(d);
        Close(Number(c.GetProperty("pvalue")), result.PValue, name + " p");
        Close(Number(c.GetProperty("statistic")), result.Statistic, name + " statistic");
        var method = c.GetProperty("method").GetString();
        Assert.Equal(method switch { "exact" => WilcoxonMethod.Exact, "normal" => WilcoxonMethod.Normal, _ => WilcoxonMethod.None }, result.Method);
        if (method is not null) Assert.Equal((d.Count(v => v != 0), d.Count(v => v == 0)), (result.Count, result.Zeros));
    }

    [Fact]
    public void The_fixture_covers_both_branches_ties_zeros_and_every_n_to_60()
    {
        var cases = Fixture.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal("1.10.1", Fixture.GetProperty("scipy").GetString());
        Assert.Equal(Enumerable.Range(1, 60).Select(n => $"continuous n={n}"), cases.Select(c => c.GetProperty("name").GetString()).Where(n => n!.StartsWith("continuous")));
        bool Has(string method, Func<double[], bool> shape) => cases.Any(c => c.GetProperty("method").GetString() == method
            && shape(c.GetProperty("d").EnumerateArray().Select(Number).ToArray()));
        Assert.True(Has("exact", d => d.Select(Math.Abs).Distinct().Count() < d.Length));              // exact with ties
        Assert.True(Has("normal", d => d.Length <= 50 && d.Contains(0)));                               // zeros force the approximation
        Assert.True(Has("normal", d => d.Length > 50 && d.Select(Math.Abs).Distinct().Count() < d.Length)); // tie-corrected variance
        Assert.True(Has("exact", d => d.Length == 50) && Has("normal", d => d.Length == 51 && !d.Contains(0)));
    }

    [Fact]
    public void Scipys_docstring_example_and_the_exact_null_distribution()
    {
        // scipy.stats.wilcoxon's own example: statistic 24, p = 0.041259765625 (= 1352 / 32768).
        var r = WilcoxonSignedRank.Test([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]);
        Assert.Equal((24.0, 0.041259765625, WilcoxonMethod.Exact), (r.Statistic, r.PValue, r.Method));
        // n = 3: R+ takes 0..6 with counts 1 1 1 2 1 1 1 of 8 sign patterns.
        Assert.Equal([1 / 8.0, 1 / 8.0, 1 / 8.0, 2 / 8.0, 1 / 8.0, 1 / 8.0, 1 / 8.0], WilcoxonSignedRank.NullDistribution(3));
        Assert.Equal(1.0, WilcoxonSignedRank.NullDistribution(20).Sum(), 14);
    }

    [Fact]
    public void Holm_equals_the_numpy_reference_and_the_textbook_example()
    {
        // Sorted 0.005, 0.01, 0.03, 0.04 (m = 4) → 4·0.005, 3·0.01, 2·0.03, max(0.06, 1·0.04): 0.02, 0.03, 0.06, 0.06.
        Assert.Equal([0.03, 0.06, 0.06, 0.02], HolmCorrection.Adjust([0.01, 0.04, 0.03, 0.005]), (a, b) => Math.Abs(a - b) < 1e-15);
        foreach (var c in Fixture.GetProperty("holm").EnumerateArray())
        {
            var p = c.GetProperty("p").EnumerateArray().Select(Number).ToArray();
            var expected = c.GetProperty("adjusted").EnumerateArray().Select(Number).ToArray();
            var adjusted = HolmCorrection.Adjust(p);
            for (int i = 0; i < p.Length; i++) Close(expected[i], adjusted[i], $"Holm [{string.Join(", ", p)}] #{i}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => HolmCorrection.Adjust([0.5, 1.5]));
    }

    [Fact]
    public void Paired_tests_carry_the_wilcoxon_p_and_the_holm_p_across_their_comparisons()
    {
        // Two embedders × two levels over 12 units; "same" differs from the reference by zero in every unit (no test).
        var rows = new List<ResultRow>();
        var rng = new Random(5);
        var expectedDifferences = new Dictionary<(string, string), List<double>>();
        foreach (var embedder in new[] { "e1", "e2" })
            for (int u = 0; u < 12; u++)
            {
                double correct = rng.NextDouble(), partial = correct - 0.1 + 0.2 * rng.NextDouble() * (embedder == "e1" ? 0.6 : 1);
                double wrong = correct - 0.3 * rng.NextDouble();
                foreach (var (label, v) in new[] { ("correct", correct), ("partial", partial), ("wrong", wrong), ("same", correct) })
                    rows.Add(new ResultRow($"q{u}", embedder, null, null, 0, "m", label, ResultRow.HeadlineStatistic, v, $"t{u}{embedder}"));
                foreach (var (label, v) in new[] { ("partial", partial), ("wrong", wrong) })
                    (expectedDifferences.TryGetValue((embedder, label), out var l) ? l : expectedDifferences[(embedder, label)] = []).Add(correct - v);
            }
        var results = new Results([], rows, new Dictionary<string, int[]>());
        var tests = results.GroupBy(r => r.Embedder).PairedTests(r => r.Label, "correct", r => r.Unit, new RandomSource(1));
        var differences = results.GroupBy(r => r.Embedder).PairedDifferences(r => r.Label, "correct", r => r.Unit, new RandomSource(1));

        Assert.Equal(["e1 partial", "e1 wrong", "e1 same", "e2 partial", "e2 wrong", "e2 same"], tests.Select(t => $"{t.Key} {t.Level}"));
        foreach (var (test, difference) in tests.Zip(differences))
            Assert.Equal((difference.Estimate, difference.Positive, difference.Negative, difference.Ties), (test.Estimate, test.Positive, test.Negative, test.Ties));
        var tested = tests.Where(t => t.Level != "same").ToArray();
        foreach (var t in tested)
        {
            var w = WilcoxonSignedRank.Test(expectedDifferences[(t.Key, t.Level)]);
            Assert.Equal((w.Statistic, w.PValue, WilcoxonMethod.Exact), (t.Statistic, t.PValue, t.Method));
        }
        var holm = HolmCorrection.Adjust(tested.Select(t => t.PValue).ToArray());
        Assert.Equal(holm, tested.Select(t => t.HolmP));
        Assert.All(tests.Where(t => t.Level == "same"), t => Assert.True(double.IsNaN(t.PValue) && double.IsNaN(t.HolmP) && t.Ties == 12 && t.Method == WilcoxonMethod.None));
        // Correcting a larger family: every adjusted p grows (m = 8 instead of 4) and equals Holm over the union.
        var union = tests.Concat(tests.Select(t => t with { Level = t.Level + "'" })).Holm();
        Assert.Equal(HolmCorrection.Adjust(union.Select(t => t.PValue).ToArray()), union.Select(t => t.HolmP));
        Assert.All(union.Take(6).Zip(tests), x => Assert.True(double.IsNaN(x.Second.HolmP) || x.First.HolmP >= x.Second.HolmP));
        // The typed table flattens the estimate and the test into columns.
        Assert.Equal(["Key", "Reference", "Level", "Mean", "Low", "High", "Count", "Positive", "Negative", "Ties", "Statistic", "PValue", "Method", "HolmP"],
            TypedColumns.Table("t", tests).Columns);
    }
}
