using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Sweeps.Tests;

/// <summary>
/// Means with bootstrap intervals and paired differences, through the results API, against numpy
/// (Fixtures/bootstrap_reference.py re-implements the seeded draws and computes with np.quantile).
/// </summary>
public sealed class BootstrapReferenceTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bootstrap.json"))).RootElement;

    private static ResultRow Row(string unit, string? label, double value, string metric = "m") =>
        new(unit, "e", "c", null, 0, metric, label, ResultRow.HeadlineStatistic, value, "t-" + unit);

    private static Results Of(IEnumerable<ResultRow> rows) => new([], rows.ToArray(), new Dictionary<string, int[]>());

    [Fact]
    public void Group_means_and_intervals_equal_numpys()
    {
        var rows = Fixture.GetProperty("means").EnumerateArray().SelectMany(g => g.GetProperty("values").EnumerateArray()
            .Select((v, i) => Row($"{g.GetProperty("group").GetString()}{i}", null, v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble())
                with { Unit = g.GetProperty("group").GetString()! }));
        var means = Of(rows).GroupBy(r => r.Unit).Mean(new RandomSource(Fixture.GetProperty("runSeed").GetInt32()));

        Assert.Equal(["a", "b"], means.Select(m => m.Key));
        foreach (var (mean, expected) in means.Zip(Fixture.GetProperty("means").EnumerateArray()))
        {
            Assert.Equal(expected.GetProperty("count").GetInt32(), mean.Count);   // the NaN is left out: 39 of 40
            Assert.Equal(expected.GetProperty("mean").GetDouble(), mean.Mean);
            Assert.Equal(expected.GetProperty("low").GetDouble(), mean.Low);
            Assert.Equal(expected.GetProperty("high").GetDouble(), mean.High);
        }
        Assert.Equal(39, means[0].Count);
    }

    [Fact]
    public void Paired_differences_and_sign_counts_equal_numpys()
    {
        var rows = Fixture.GetProperty("units").EnumerateArray().SelectMany(u => u.EnumerateObject().Where(p => p.Name != "unit")
            .Select(p => Row(u.GetProperty("unit").GetString()!, p.Name, p.Value.GetDouble())));
        var differences = Of(rows).GroupBy(_ => "g").PairedDifferences(r => r.Label, "correct", r => r.Unit, new RandomSource(Fixture.GetProperty("runSeed").GetInt32()));

        Assert.Equal(["partial", "wrong"], differences.Select(d => d.Level));
        foreach (var (d, expected) in differences.Zip(Fixture.GetProperty("paired").EnumerateArray()))
        {
            Assert.Equal("correct", d.Reference);
            Assert.Equal(expected.GetProperty("count").GetInt32(), d.Count);
            Assert.Equal(expected.GetProperty("positive").GetInt32(), d.Positive);
            Assert.Equal(expected.GetProperty("negative").GetInt32(), d.Negative);
            Assert.Equal(expected.GetProperty("ties").GetInt32(), d.Ties);
            Assert.Equal(expected.GetProperty("mean").GetDouble(), d.Mean);
            Assert.Equal(expected.GetProperty("low").GetDouble(), d.Low);
            Assert.Equal(expected.GetProperty("high").GetDouble(), d.High);
        }
        Assert.Equal(25, differences[1].Count);   // "wrong" is missing in 5 of the 30 units: only 25 pairs
    }

    [Fact]
    public void A_groups_interval_does_not_depend_on_the_other_groups()
    {
        var rows = Enumerable.Range(0, 20).Select(i => Row("u" + i, null, Math.Sin(i)) with { Embedder = i % 2 == 0 ? "x" : "y" }).ToArray();
        var both = Of(rows).GroupBy(r => r.Embedder).Mean(new RandomSource(3));
        var alone = Of(rows.Where(r => r.Embedder == "y")).GroupBy(r => r.Embedder).Mean(new RandomSource(3));
        Assert.Equal(both[1], alone[0]);
        Assert.NotEqual(both[1].Low, Of(rows).GroupBy(r => r.Embedder).Mean(new RandomSource(4))[1].Low);
    }

    [Fact]
    public void Quantile_interpolates_as_numpy_does()
    {
        double[] sorted = [1, 2, 4, 8];
        Assert.Equal(1.0, Bootstrap.Quantile(sorted, 0));
        Assert.Equal(8.0, Bootstrap.Quantile(sorted, 1));
        Assert.Equal(3.0, Bootstrap.Quantile(sorted, 0.5));       // np.quantile([1,2,4,8], 0.5)
        Assert.Equal(1.15, Bootstrap.Quantile(sorted, 0.05), 15); // np.quantile([1,2,4,8], 0.05)
    }
}
