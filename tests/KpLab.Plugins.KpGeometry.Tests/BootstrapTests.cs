using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry.Tests;

public sealed class BootstrapTests
{
    [Fact]
    public void ReplicateStatisticMatchesNaiveNumpyOnGivenResamples()
    {
        var cases = GeometryFixture.Root.GetProperty("bootstrap").EnumerateArray().ToArray();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            var rows = new UnitRows(GeometryFixture.Embeddings(c.GetProperty("file").GetString()!));
            var positions = c.GetProperty("rows").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            double got = rows.MeanPairwiseCosine(positions, new double[rows.Columns]);
            Assert.Equal(c.GetProperty("expected").GetDouble(), got, 1e-12);
        }
    }

    [Fact]
    public void QuantilesMatchNumpyPercentile()
    {
        foreach (var set in new[] { "percentiles", "percentilesOdd" })
        {
            var p = GeometryFixture.Root.GetProperty(set);
            var values = GeometryFixture.Numbers(p.GetProperty("values"));
            foreach (var q in p.GetProperty("expected").EnumerateObject())
                Assert.Equal(q.Value.GetDouble(), WithinCosineBootstrap.Quantile(values, double.Parse(q.Name, System.Globalization.CultureInfo.InvariantCulture)), 1e-12);
        }
    }

    [Theory]
    [InlineData("gauss_n120_d16")] // every label evaluated directly (30 members, d = 16)
    [InlineData("anna_n370_d48")] // labels of 39 and 60 through the Gram matrix, 77 to 111 directly
    public void IntervalsAreTheDocumentedResamplingRecomputedNaively(string name)
    {
        // Labels in label order, one stream; each replicate draws n members with Random.Next(n) and averages the
        // cosine over pairs of distinct positions p < q. Recomputed here with plain float64 loops, O(n²).
        var input = GeometryFixture.Input(GeometryFixture.Case(name));
        const int seed = 17, resamples = 40;
        var result = new KpGeometryMetric(new KpGeometryOptions { K = 5, Bootstrap = resamples, Seed = seed, Confidence = 0.9 }, PluginContext.Default)
            .Evaluate(input);
        var x = input.Embeddings!;
        var truth = input.Truth!;
        var random = new Random(seed);
        for (int label = 0; label < truth.Names.Count; label++)
        {
            var members = Enumerable.Range(0, truth.Count).Where(i => truth.Codes[i] == label).ToArray();
            var row = result.Rows.Single(r => r.Key == truth.Names[label]);
            if (members.Length < 2)
            {
                Assert.True(double.IsNaN(row["withinCosineLow"]) && double.IsNaN(row["withinCosineHigh"])); // and no draws
                continue;
            }
            var replicates = new double[resamples];
            for (int b = 0; b < resamples; b++)
            {
                var draw = new int[members.Length];
                for (int t = 0; t < draw.Length; t++) draw[t] = members[random.Next(members.Length)];
                double sum = 0;
                for (int p = 0; p < draw.Length; p++)
                    for (int q = p + 1; q < draw.Length; q++) sum += NaiveCosine(x.Row(draw[p]), x.Row(draw[q]));
                replicates[b] = sum / (draw.Length * (draw.Length - 1) / 2.0);
            }
            Array.Sort(replicates);
            Assert.Equal(WithinCosineBootstrap.Quantile(replicates, 0.05), row["withinCosineLow"], 1e-12);
            Assert.Equal(WithinCosineBootstrap.Quantile(replicates, 0.95), row["withinCosineHigh"], 1e-12);
            Assert.True(row["withinCosineLow"] < row["withinCosine"] && row["withinCosine"] < row["withinCosineHigh"]);
        }
    }

    [Fact]
    public void GramAndDirectEvaluationAgree()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("anna_n370_d48"));
        var rows = new UnitRows(input.Embeddings!);
        foreach (var label in new[] { "correct", "other" })
        {
            var members = Enumerable.Range(0, rows.Count).Where(i => input.Truth![i] == label).ToArray();
            var gram = WithinCosineBootstrap.Replicates(rows, members, 100, new Random(1), BootstrapMethod.Gram);
            var direct = WithinCosineBootstrap.Replicates(rows, members, 100, new Random(1), BootstrapMethod.Direct);
            for (int b = 0; b < gram.Length; b++) Assert.Equal(direct[b], gram[b], 1e-12);
        }
    }

    [Fact]
    public void IntervalsAreSeededAndIndependentOfThreadCount()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("anna_n370_d48"));
        double[] Lows(KpGeometryOptions options, PluginContext context, int threads)
        {
            using var _ = KernelParallelism.Override(threads);
            return new KpGeometryMetric(options, context).Evaluate(input).Rows.Select(r => r["withinCosineLow"]).ToArray();
        }
        var seeded = new KpGeometryOptions { Bootstrap = 200, Seed = 3 };
        Assert.Equal(Lows(seeded, PluginContext.Default, 1), Lows(seeded, new PluginContext(new RandomSource(99)), 2));
        Assert.NotEqual(Lows(seeded, PluginContext.Default, 2), Lows(seeded with { Seed = 4 }, PluginContext.Default, 2));
        var fromContext = new KpGeometryOptions { Bootstrap = 200 };
        Assert.Equal(Lows(fromContext, new PluginContext(new RandomSource(7)), 1), Lows(fromContext, new PluginContext(new RandomSource(7)), 2));
        Assert.NotEqual(Lows(fromContext, new PluginContext(new RandomSource(7)), 2), Lows(fromContext, new PluginContext(new RandomSource(8)), 2));
    }

    [Fact]
    public void ZeroResamplesSkipTheInterval()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("tiny_n5_d3"));
        var row = new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, PluginContext.Default).Evaluate(input).Rows[0];
        Assert.True(double.IsNaN(row["withinCosineLow"]) && double.IsNaN(row["withinCosineHigh"]));
        Assert.False(double.IsNaN(row["withinCosine"]));
    }

    private static double NaiveCosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < a.Length; j++)
        {
            dot += (double)a[j] * b[j];
            na += (double)a[j] * a[j];
            nb += (double)b[j] * b[j];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
