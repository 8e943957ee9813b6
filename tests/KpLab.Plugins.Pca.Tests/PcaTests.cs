using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Testing;

namespace KpLab.Plugins.Pca.Tests;

/// <summary>Agreement with scikit-learn 1.2.1's PCA(svd_solver="full") (Fixtures/make_fixtures.py), bad input, conformance.</summary>
public sealed class PcaTests
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixture("pca_reference.json"))).RootElement);

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static double[] Flat(JsonElement element) => element.ValueKind == JsonValueKind.Array
        ? element.EnumerateArray().SelectMany(Flat).ToArray()
        : [element.GetDouble()];

    private static double[] Expected(string name, bool whiten, string key) =>
        Flat(Reference.Value.GetProperty(name).GetProperty(whiten ? "whiten" : "plain").GetProperty(key));

    /// <summary>
    /// Requires <paramref name="actual"/> (rows × k, row-major) to equal <paramref name="expected"/> within 1e-5 of the
    /// largest expected magnitude, column by column up to the sign, which is returned.
    /// </summary>
    private static int[] AssertEqualUpToColumnSign(double[] expected, IReadOnlyList<double> actual, int k, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        double tolerance = 1e-5 * Math.Max(1, expected.Max(Math.Abs));
        var signs = new int[k];
        for (int c = 0; c < k; c++)
        {
            double dot = 0;
            for (int i = c; i < expected.Length; i += k) dot += expected[i] * actual[i];
            signs[c] = dot < 0 ? -1 : 1;
            for (int i = c; i < expected.Length; i += k)
                Assert.True(Math.Abs(expected[i] - signs[c] * actual[i]) <= tolerance,
                    $"{what}[{i / k}, {c}]: sklearn {expected[i]}, KpLab {signs[c] * actual[i]} (tolerance {tolerance:G3}).");
        }
        return signs;
    }

    [Theory]
    [InlineData("tall", false)]
    [InlineData("tall", true)]
    [InlineData("wide", false)]
    [InlineData("wide", true)]
    public void EqualsSklearnsPcaUpToTheSignOfEachComponent(string name, bool whiten)
    {
        int k = Reference.Value.GetProperty(name).GetProperty("components").GetInt32();
        var data = NpyFile.Load(Fixture($"{name}.npy"));
        var model = new PcaReducer(new PcaOptions { Components = k, Whiten = whiten }).FitModel(data);

        var signs = AssertEqualUpToColumnSign(Expected(name, whiten, "scores"),
            model.Embedding.ToArray().Select(v => (double)v).ToArray(), k, "scores");
        var newScores = model.Transform(NpyFile.Load(Fixture($"new_{name}.npy"))).ToArray().Select(v => (double)v).ToArray();
        Assert.Equal(signs, AssertEqualUpToColumnSign(Expected(name, whiten, "new_scores"), newScores, k, "transformed new rows"));
        // Components are k x d: transpose to d x k so each component is a column.
        int d = data.Columns;
        var expectedComponents = Expected(name, whiten, "components");
        var transposed = (double[] m) => Enumerable.Range(0, m.Length).Select(i => m[(i % k) * d + i / k]).ToArray();
        Assert.Equal(signs, AssertEqualUpToColumnSign(transposed(expectedComponents), transposed(model.Components.ToArray()), k, "components"));
        // svd_flip's convention is reproduced too, so the signs agree outright.
        Assert.All(signs, s => Assert.Equal(1, s));
        AssertClose(Expected(name, whiten, "mean"), model.Mean, "mean");
        AssertClose(Expected(name, whiten, "explained_variance"), model.ExplainedVariance, "explained variance");
        AssertClose(Expected(name, whiten, "explained_variance_ratio"), model.ExplainedVarianceRatio, "explained variance ratio");
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: sklearn {expected[i]}, KpLab {actual[i]}.");
    }

    [Fact]
    public void WhitenedColumnsHaveUnitVariance()
    {
        var embedding = new PcaReducer(new PcaOptions { Components = 3, Whiten = true }).Fit(NpyFile.Load(Fixture("tall.npy"))).Embedding;
        for (int c = 0; c < 3; c++)
        {
            var column = Enumerable.Range(0, embedding.Rows).Select(i => (double)embedding[i, c]).ToArray();
            double mean = column.Average();
            Assert.Equal(0, mean, 1e-5);
            Assert.Equal(1, column.Sum(v => (v - mean) * (v - mean)) / (column.Length - 1), 1e-5);
        }
    }

    [Fact]
    public void TooManyComponentsAndTooFewRowsAreRefusedNamingTheLimit()
    {
        var data = NpyFile.Load(Fixture("wide.npy"));
        var error = Assert.Throws<PluginOptionException>(() => new PcaReducer(new PcaOptions { Components = 16 }).Fit(data));
        Assert.Contains("min(rows, columns) = 15", error.Message);
        Assert.Contains("at least 2 rows", Assert.Throws<ArgumentException>(() =>
            new PcaReducer(new PcaOptions { Components = 1 }).Fit(data.SelectRows([0]))).Message);
        Assert.Contains("row 3", Assert.Throws<ArgumentException>(() =>
        {
            var values = data.ToArray();
            values[3 * data.Columns] = float.NaN;
            new PcaReducer(new PcaOptions()).Fit(EmbeddingMatrix.FromValues(data.Rows, data.Columns, values));
        }).Message);
    }

    [Fact]
    public void IdentityNamesEveryOptionThatChangesTheVectors()
    {
        Assert.NotEqual(new PcaReducer(new PcaOptions { Components = 2 }).Identity, new PcaReducer(new PcaOptions { Components = 3 }).Identity);
        Assert.NotEqual(new PcaReducer(new PcaOptions { Whiten = true }).Identity, new PcaReducer(new PcaOptions()).Identity);
    }

    [Fact]
    public void Conforms() => PluginConformance.AssertConforms<PcaReducer>();
}
