using System.Text.RegularExpressions;
using KpLab.Abstractions;
using KpLab.Browser;
using KpLab.Reporting;

namespace KpLab.Reporting.Tests;

public sealed class HtmlReportTests
{
    internal static HtmlReport SampleReport()
    {
        string[] labels = ["correct", "partial", "contradictory", "irrelevant"];
        var points = new List<IntervalPoint>();
        foreach (var (e, shift) in new[] { ("use-lite", 0.0), ("tfidf", -0.2) })
            for (int i = 0; i < labels.Length; i++)
                points.Add(new IntervalPoint(labels[i], e, 0.7 - 0.1 * i + shift, 0.65 - 0.1 * i + shift, 0.75 - 0.1 * i + shift));
        var report = new HtmlReport("Sample <report> & check");
        report.Heading("Charts").Paragraph("Plain text with <tags> is escaped.");
        report.Chart(SvgCharts.IntervalChart("Within-label similarity", "mean cosine", labels, points), "Anna Karenina chart");
        report.Chart(SvgCharts.BarChart("Discoverability", "share discovered", labels, points, 1.0), "Bars");
        report.Chart(SvgCharts.Heatmap("Contingency", labels, ["0", "1", "2"], new double[,] { { 9, 1, 0 }, { 2, 5, 1 }, { 0, 3, 4 }, { 1, 1, 1 } }, "label", "cluster"), "Heatmap");
        var rng = new Random(1);
        var dots = Enumerable.Range(0, 60).Select(i => new ScatterPoint(rng.NextDouble(), rng.NextDouble(), labels[i % 4], i % 5 - 1, $"answer {i}")).ToList();
        report.Chart(SvgCharts.Scatter("PCA map", dots, labels, "PC1", "PC2"), "Scatter");
        report.Chart(SvgCharts.LineChart("ARI by k", "k", "ARI", [new LinePoint("use-lite", 2, 0.1, 0.05, 0.15), new LinePoint("use-lite", 3, 0.2, 0.1, 0.3), new LinePoint("tfidf", 2, 0.05, 0.05, 0.05), new LinePoint("tfidf", 3, 0.12, 0.12, 0.12)]), "Lines");
        report.Collapsible("Drill-down", r => r.Chart(SvgCharts.DumbbellChart("F1", "F1", labels, [new DumbbellPoint("correct", "use-lite", 0.4, 0.8), new DumbbellPoint("partial", "use-lite", 0.3, 0.2)], "null", "observed"), "Dumbbells"));
        report.Table(new ResultTable("t", ["label", "value"], [["correct", 0.5], ["wrong", double.NaN]]), "A table");
        return report;
    }

    [Fact]
    public void Report_is_self_contained_and_escapes_text()
    {
        var html = SampleReport().ToHtml();
        Assert.Equal(6, Regex.Matches(html, "<svg ").Count);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("Sample &lt;report&gt; &amp; check", html);
        Assert.Contains("<td class=\"num\">0.500</td>", html);
        Assert.Contains("<td class=\"num\">–</td>", html);
    }

    [Fact]
    public void Ticks_cover_the_range_with_round_steps()
    {
        var html = SvgCharts.BarChart("b", "y", ["a"], [new IntervalPoint("a", "s", 0.8, 0.8, 0.8)], 1.0);
        foreach (var t in new[] { ">0<", ">0.2<", ">0.4<", ">0.6<", ">0.8<", ">1<" }) Assert.Contains(t, html);
    }

    [Fact]
    public void Pca_recovers_the_dominant_direction()
    {
        // Points along (3, 4)/5 with small noise orthogonal to it: axis 1 explains nearly all variance.
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var t = rng.NextDouble() * 10 - 5;
            var e = (rng.NextDouble() - 0.5) * 0.01;
            return new[] { (float)(0.6 * t - 0.8 * e), (float)(0.8 * t + 0.6 * e) };
        }).ToArray();
        var (x, y, e1, e2) = PrincipalComponents.Project2D(EmbeddingMatrix.FromRows(rows));
        Assert.True(e1 > 0.9999, $"explained {e1}");
        Assert.True(e2 < 1e-4, $"explained {e2}");
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(0.6 * rows[i][0] + 0.8 * rows[i][1], x[i] + (0.6 * rows.Average(r => r[0]) + 0.8 * rows.Average(r => r[1])), 1e-3);
    }

    [Fact]
    public async Task Chromium_renders_every_chart_without_console_errors()
    {
        var dir = Directory.CreateTempSubdirectory("kplab-report-").FullName;
        var html = Path.Combine(dir, "report.html");
        SampleReport().Save(html);
        var png = Path.Combine(dir, "report.png");
        var page = await HeadlessBrowser.RenderAsync(html, png);
        Assert.Contains("data-charts-rendered=\"6\"", page.Dom);
        Assert.Empty(page.ConsoleErrors);
        Assert.True(new FileInfo(png).Length > 10_000, "screenshot is suspiciously small");
    }

    [Fact]
    public async Task A_script_error_in_the_page_is_reported()
    {
        // The check above cannot pass vacuously: a page whose script throws and logs an error is caught.
        var html = Path.Combine(Directory.CreateTempSubdirectory("kplab-report-").FullName, "broken.html");
        File.WriteAllText(html, "<!doctype html><html><body><script>console.error('boom'); null.x;</script></body></html>");
        var page = await HeadlessBrowser.RenderAsync(html);
        Assert.Equal(2, page.ConsoleErrors.Count);
        Assert.Equal("console error: boom", page.ConsoleErrors[0]);
        Assert.StartsWith("uncaught: ", page.ConsoleErrors[1]);
    }
}

public sealed class BootstrapIntervalTests
{
    [Fact]
    public void Interval_brackets_the_mean_and_is_reproducible()
    {
        double[] x = [0.1, 0.4, 0.35, 0.8, 0.5, double.NaN, 0.2];
        var a = BootstrapInterval.OfMean(x, new Random(7));
        var b = BootstrapInterval.OfMean(x, new Random(7));
        Assert.Equal(a, b);
        Assert.Equal(6, a.Count);
        Assert.Equal(0.391666666666667, a.Mean, 12);
        Assert.True(a.Low < a.Mean && a.Mean < a.High);
        Assert.True(a.Low >= 0.1 && a.High <= 0.8);
    }

    [Fact]
    public void Quantile_matches_numpy_linear_interpolation()
    {
        // numpy.quantile([1, 2, 4, 8], [0.025, 0.5, 0.975]) = [1.075, 3.0, 7.7]
        double[] s = [1, 2, 4, 8];
        Assert.Equal(1.075, BootstrapInterval.Quantile(s, 0.025), 12);
        Assert.Equal(3.0, BootstrapInterval.Quantile(s, 0.5), 12);
        Assert.Equal(7.7, BootstrapInterval.Quantile(s, 0.975), 12);
    }

    [Fact]
    public void Degenerate_inputs_give_documented_results()
    {
        Assert.True(double.IsNaN(BootstrapInterval.OfMean([], new Random(1)).Mean));
        Assert.Equal(new MeanInterval(2, 2, 2, 1), BootstrapInterval.OfMean([2.0], new Random(1)));
    }
}
