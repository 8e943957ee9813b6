using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Plugins.KpDiscoverability.Tests;

/// <summary>Agreement with the independent NumPy computation of Fixtures/make_fixtures.py (random and SemEval labelings).</summary>
public sealed class NumpyFixtureTests
{
    private static readonly JsonElement[] Cases = Load();

    private static readonly string[] Columns =
    [
        "size", "cluster", "precision", "recall", "f1", "jaccardCluster", "jaccard", "discovered",
        "f1NullMean", "f1NullSd", "f1PValue", "f1Excess", "discoveredAdjusted",
    ];

    private static JsonElement[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "discoverability_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static IEnumerable<object[]> Configurations() =>
        from c in Cases
        from i in Enumerable.Range(0, c.GetProperty("expected").GetArrayLength())
        select new object[] { c.GetProperty("name").GetString()!, i };

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();

    [Theory]
    [MemberData(nameof(Configurations))]
    public void MatchesNumpy(string name, int configuration)
    {
        var c = Cases.Single(e => e.GetProperty("name").GetString() == name);
        var expected = c.GetProperty("expected")[configuration];
        var options = new DiscoverabilityOptions
        {
            Threshold = expected.GetProperty("threshold").GetDouble(),
            Noise = expected.GetProperty("noise").GetString() == "exclude" ? DiscoveryNoise.Exclude : DiscoveryNoise.Unmatched,
            Alpha = expected.GetProperty("alpha").GetDouble(),
        };
        // The null's relabellings are NumPy's own, handed to the metric, so both sides permute identically.
        var permutations = expected.GetProperty("permutations").EnumerateArray()
            .Select(p => p.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
        LabelVector truth = c.GetProperty("numeric").GetBoolean()
            ? c.GetProperty("truth").EnumerateArray().Select(e => e.GetInt32()).ToArray()
            : c.GetProperty("truth").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var predicted = new Partition(c.GetProperty("predicted").EnumerateArray().Select(e => e.GetInt32()).ToArray());

        var result = new Discoverability(options, PluginContext.Default).Evaluate(new EvaluationInput { Truth = truth, Predicted = predicted }, permutations);

        var rows = expected.GetProperty("rows").EnumerateObject().ToArray();
        Assert.Equal(rows.Select(r => r.Name), result.Rows.Select(r => r.Key)); // same labels, same (sorted) order
        foreach (var row in rows)
        {
            var got = result.Rows.Single(r => r.Key == row.Name);
            foreach (var column in Columns)
            {
                double want = Number(row.Value.GetProperty(column));
                if (double.IsNaN(want)) Assert.True(double.IsNaN(got[column]), $"{name}/{configuration} {row.Name} {column}: {got[column]}, NumPy none");
                else Assert.True(Math.Abs(want - got[column]) <= 1e-12, $"{name}/{configuration} {row.Name} {column}: {got[column]:R} vs NumPy {want:R}");
            }
        }
        Assert.Equal(expected.GetProperty("value").GetDouble(), result.Value, 1e-12);
        Assert.Equal(expected.GetProperty("meanBestF1").GetDouble(), result.Components["meanBestF1"], 1e-12);
        Assert.Equal(expected.GetProperty("discovered").GetDouble(), result.Components["discovered"]);
        Assert.Equal(expected.GetProperty("labels").GetDouble(), result.Components["labels"]);
        Assert.Equal(expected.GetProperty("discoveredAdjusted").GetDouble(), result.Components["discoveredAdjusted"]);
        Assert.Equal(expected.GetProperty("meanF1Excess").GetDouble(), result.Components["meanF1Excess"], 1e-12);
    }
}
