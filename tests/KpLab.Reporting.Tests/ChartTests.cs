using System.Globalization;
using System.Text.RegularExpressions;
using KpLab.Browser;

namespace KpLab.Reporting.Tests;

public sealed class LineChartTests
{
    private static readonly LinePoint[] Points =
    [
        new("minilm", 4, 0.30, 0.25, 0.35), new("minilm", 2, 0.10, 0.05, 0.15), new("minilm", 3, 0.20, 0.18, 0.22),
        new("tfidf", 2, 0.05, 0.05, 0.05), new("tfidf", 3, -0.02, -0.02, -0.02), new("tfidf", 4, 0.12, 0.12, 0.12),
    ];

    private static List<(double X, double Y)> Polyline(string svg, string series) =>
        Regex.Match(svg, $"<polyline class=\"line\" data-series=\"{series}\"[^>]* points=\"([^\"]+)\"").Groups[1].Value
            .Split(' ').Select(p => p.Split(',')).Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void Each_series_is_one_polyline_whose_vertices_map_the_data_through_one_affine_map()
    {
        var svg = SvgCharts.LineChart("ARI by k", "k", "ARI", Points);
        var minilm = Polyline(svg, "minilm");
        var tfidf = Polyline(svg, "tfidf");
        Assert.Equal(3, minilm.Count);
        Assert.Equal(3, tfidf.Count);
        // Vertices in increasing k, and both series share the x positions of k = 2, 3, 4, equally spaced.
        Assert.Equal(minilm.Select(p => p.X), tfidf.Select(p => p.X));
        Assert.True(minilm[0].X < minilm[1].X && minilm[1].X < minilm[2].X);
        Assert.Equal(minilm[1].X - minilm[0].X, minilm[2].X - minilm[1].X, 1);
        // y = a − b·value with one (a, b), b > 0 (up is larger), for every vertex of every series.
        var all = minilm.Zip(new[] { 0.10, 0.20, 0.30 }).Concat(tfidf.Zip(new[] { 0.05, -0.02, 0.12 })).ToList();
        double b = (all[0].First.Y - all[2].First.Y) / (0.30 - 0.10), a = all[0].First.Y + b * 0.10;
        Assert.True(b > 0);
        foreach (var (p, v) in all) Assert.Equal(a - b * v, p.Y, 1);
        // The y-axis tick "0.2" sits where the map puts 0.2.
        var tick = Regex.Match(svg, "<line x1=\"70\" x2=\"590\" y1=\"([0-9.]+)\" y2=\"[0-9.]+\" class=\"grid\"/><text x=\"64\" y=\"[0-9.]+\" text-anchor=\"end\" class=\"tick\">0.2</text>");
        Assert.True(tick.Success, "no 0.2 tick");
        Assert.Equal(a - b * 0.2, double.Parse(tick.Groups[1].Value, CultureInfo.InvariantCulture), 1);
    }

    [Fact]
    public void A_band_is_drawn_only_for_a_series_with_intervals()
    {
        var svg = SvgCharts.LineChart("ARI by k", "k", "ARI", Points);
        Assert.Single(Regex.Matches(svg, "<polygon class=\"band\""));
        var band = Regex.Match(svg, "<polygon class=\"band\" data-series=\"minilm\"[^>]* points=\"([^\"]+)\"").Groups[1].Value.Split(' ');
        Assert.Equal(6, band.Length); // three highs left to right, three lows right to left
        var line = Polyline(svg, "minilm");
        double Y(string p) => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(Y(band[i]) < line[i].Y, "high above the line");
            Assert.True(Y(band[5 - i]) > line[i].Y, "low below the line");
        }
        Assert.Contains("minilm, 4: 0.3 [0.25, 0.35]", svg);
    }

    [Fact]
    public void Nan_values_are_left_out_of_the_line()
    {
        var svg = SvgCharts.LineChart("t", "k", "y", [new("a", 2, 0.1, 0.1, 0.1), new("a", 3, double.NaN, double.NaN, double.NaN), new("a", 4, 0.3, 0.3, 0.3)]);
        Assert.Equal(2, Polyline(svg, "a").Count);
    }
}

public sealed class DumbbellChartTests
{
    [Fact]
    public void Each_dumbbell_joins_the_reference_to_the_observed_value()
    {
        DumbbellPoint[] points = [new("correct", "minilm", 0.40, 0.80), new("partial", "minilm", 0.30, 0.25), new("correct", "tfidf", 0.40, 0.60)];
        var svg = SvgCharts.DumbbellChart("F1", "best-match F1", ["correct", "partial"], points, "null F1", "observed F1");
        var groups = Regex.Matches(svg, "<g class=\"dumbbell\">.*?</g>").Select(m => m.Value).ToList();
        Assert.Equal(3, groups.Count);
        double Cy(string g, string cls) => double.Parse(Regex.Match(g, $"class=\"{cls}\" cx=\"[0-9.]+\" cy=\"([0-9.]+)\"").Groups[1].Value, CultureInfo.InvariantCulture);
        // Higher values are higher up; one affine map for all markers: 0.8 − 0.4 spans twice 0.6 − 0.4.
        // Groups in category order, then series: correct/minilm, correct/tfidf, partial/minilm.
        var (ref0, obs0, obs1) = (Cy(groups[0], "reference"), Cy(groups[0], "observed"), Cy(groups[1], "observed"));
        Assert.True(obs0 < ref0);
        Assert.True(Cy(groups[2], "observed") > Cy(groups[2], "reference"));
        Assert.Equal(2 * (ref0 - obs1), ref0 - obs0, 1);
        Assert.Contains("minilm, correct: observed F1 0.8, null F1 0.4, excess +0.4", svg);
        Assert.Contains("minilm, partial: observed F1 0.25, null F1 0.3, excess -0.05", svg);
    }
}

public sealed class HeatmapFormatTests
{
    [Fact]
    public void Values_are_written_in_the_given_format_and_nan_is_grey()
    {
        var svg = SvgCharts.Heatmap("ARI", ["minilm", "tfidf"], ["kmeans", "ward"], new[,] { { 0.1234, -0.01 }, { double.NaN, 0.2 } }, "embedder", "clusterer", "0.000");
        Assert.Contains(">0.123</text>", svg);
        Assert.Contains(">-0.010</text>", svg);
        Assert.Contains(">0.200</text>", svg);
        Assert.Contains("fill=\"#ddd\"", svg);
        Assert.Contains("tfidf &#215; kmeans: –", svg);
        // A negative value shades as zero (white), the largest as the darkest.
        Assert.Contains("fill=\"rgb(255,255,255)\"", svg);
        Assert.Contains("fill=\"rgb(55,115,255)\"", svg);
        Assert.Throws<ArgumentException>(() => SvgCharts.Heatmap("x", ["a"], ["b"], new double[2, 1], "r", "c", "0.0"));
    }
}

public sealed class CollapsibleTests
{
    [Fact]
    public void A_section_wraps_its_content_in_details_closed_by_default()
    {
        var report = new HtmlReport("r");
        report.Collapsible("Question <1>", r => r.Paragraph("inside"));
        report.Collapsible("Open one", r => r.Paragraph("also"), open: true);
        var html = report.ToHtml();
        Assert.Contains("<details><summary>Question &lt;1&gt;</summary>\n<div class=\"details-body\">\n<p>inside</p>\n</div></details>", html);
        Assert.Contains("<details open><summary>Open one</summary>", html);
    }

    [Fact]
    public async Task Charts_in_closed_sections_are_measured_as_rendered()
    {
        var report = new HtmlReport("collapsed");
        report.Chart(SvgCharts.LineChart("outside", "k", "y", [new("a", 2, 0.1, 0.1, 0.1), new("a", 3, 0.2, 0.2, 0.2)]), "outside");
        report.Collapsible("closed", r => r.Collapsible("nested, closed", inner =>
            inner.Chart(SvgCharts.DumbbellChart("inside", "y", ["c"], [new("c", "s", 0.2, 0.5)], "ref", "obs"), "inside")));
        var html = Path.Combine(Directory.CreateTempSubdirectory("kplab-report-").FullName, "collapsed.html");
        report.Save(html);
        var page = await HeadlessBrowser.RenderAsync(html);
        Assert.Contains("data-charts=\"2\"", page.Dom);
        Assert.Contains("data-charts-rendered=\"2\"", page.Dom);
        Assert.Empty(page.ConsoleErrors);
        Assert.DoesNotContain("<details open", page.Dom); // the check closes what it opened
    }
}

public sealed class PairedVerdictTests
{
    private static PairedComparison C(string level, double mean, double adjusted) => new("correct", level, mean, mean - 0.01, mean + 0.01, 40, 49, adjusted / 3, adjusted);

    [Fact]
    public void The_reading_follows_the_adjusted_p_values_and_signs()
    {
        Assert.Equal(PairedReading.Holds, PairedVerdict.Read([C("partial", 0.05, 0.001), C("irrelevant", 0.02, 0.04)]));
        Assert.Equal(PairedReading.Mixed, PairedVerdict.Read([C("partial", 0.05, 0.001), C("irrelevant", 0.02, 0.06)]));
        Assert.Equal(PairedReading.DoesNotHold, PairedVerdict.Read([C("partial", 0.05, 0.2), C("irrelevant", -0.02, 0.001)]));
        // Significant but in the wrong direction is not "larger".
        Assert.Equal(PairedReading.DoesNotHold, PairedVerdict.Read([C("partial", -0.05, 0.001)]));
        Assert.Equal(PairedReading.NotTested, PairedVerdict.Read([C("partial", 0.05, double.NaN)]));
        Assert.Equal(PairedReading.Mixed, PairedVerdict.Read([C("partial", 0.05, 0.001), C("irrelevant", 0.02, 0.004)], alpha: 0.003));
    }

    [Fact]
    public void The_sentence_names_each_label_with_its_numbers()
    {
        PairedComparison[] comparisons = [C("partial", 0.05, 0.0001), C("contradictory", 0.001, 0.5), C("irrelevant", -0.03, 0.002)];
        var mixed = PairedVerdict.Describe("minilm, raw", comparisons, "denser", "less dense", "Wilcoxon", "questions");
        Assert.StartsWith("minilm, raw: mixed: correct answers are significantly denser than partial (adjusted p = 1.0E-4), " +
            "but not significantly denser than contradictory (adjusted p = 0.500), and significantly less dense than irrelevant (adjusted p = 0.002).", mixed);
        Assert.Contains("correct − partial: +0.050 [0.040, 0.060], positive in 40 of 49 questions, Wilcoxon p = 3.3E-5, adjusted 1.0E-4", mixed);
        Assert.Contains("correct − irrelevant: -0.030 [-0.040, -0.020], positive in 40 of 49 questions, Wilcoxon p = 6.7E-4, adjusted 0.002", mixed);
        Assert.Equal(mixed[..mixed.IndexOf(" correct − ", StringComparison.Ordinal)], PairedVerdict.Headline("minilm, raw", comparisons, "denser", "less dense"));
        var holds = PairedVerdict.Headline("s", [C("partial", 0.05, 0.01), C("irrelevant", 0.02, 0.02)], "denser", "less dense");
        Assert.Equal("s: the pattern holds: correct answers are significantly denser than every other label (largest adjusted p = 0.020).", holds);
        var not = PairedVerdict.Headline("s", [C("partial", 0.05, 0.3), C("irrelevant", 0.02, 0.2)], "denser", "less dense");
        Assert.Equal("s: the pattern does not hold: correct answers are not significantly denser than partial (adjusted p = 0.300) and irrelevant (adjusted p = 0.200).", not);
        Assert.Equal("s: nothing to compare.", PairedVerdict.Headline("s", [], "denser", "less dense"));
    }
}
