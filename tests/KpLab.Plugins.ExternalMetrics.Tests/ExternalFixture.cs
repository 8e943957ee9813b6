using System.Text.Json;
using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics.Tests;

/// <summary>One labelling from Fixtures/external_cases.json with scikit-learn's values.</summary>
public sealed class ExternalCase
{
    private readonly JsonElement _expected;

    private ExternalCase(JsonElement element)
    {
        Name = element.GetProperty("name").GetString()!;
        Noise = element.GetProperty("noise").GetString() == "exclude" ? NoiseHandling.Exclude : NoiseHandling.Cluster;
        var truth = element.GetProperty("truth");
        Truth = truth.GetArrayLength() > 0 && truth[0].ValueKind == JsonValueKind.String
            ? LabelVector.FromStrings(truth.EnumerateArray().Select(e => e.GetString()).ToArray())
            : LabelVector.FromInts(truth.EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Predicted = element.GetProperty("predicted").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        _expected = element.GetProperty("expected");
    }

    public string Name { get; }
    public NoiseHandling Noise { get; }
    public LabelVector Truth { get; }
    public int[] Predicted { get; }

    public EvaluationInput Input => new() { Predicted = new Partition(Predicted), Truth = Truth };

    public double Expected(string key)
    {
        var e = _expected.GetProperty(key);
        return e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetDouble();
    }

    public JsonElement ExpectedElement(string key) => _expected.GetProperty(key);

    public override string ToString() => Name;

    public static IReadOnlyList<ExternalCase> All { get; } = Load();

    public static ExternalCase Named(string name) => All.Single(c => c.Name == name);

    public static IEnumerable<object[]> Names() => All.Select(c => new object[] { c.Name });

    private static List<ExternalCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "external_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => new ExternalCase(e.Clone())).ToList();
    }
}
