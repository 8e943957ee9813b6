using System.Text;
using static KpLab.Reporting.Svg;

namespace KpLab.Reporting;

/// <summary>A value with a confidence interval for one (category, series) pair.</summary>
/// <param name="Category">The x-axis category, e.g. an expert label.</param>
/// <param name="Series">The series, e.g. an embedder; one colour each.</param>
/// <param name="Value">The point estimate.</param>
/// <param name="Low">The interval's lower end (equal to <paramref name="Value"/> when there is none).</param>
/// <param name="High">The interval's upper end.</param>
public sealed record IntervalPoint(string Category, string Series, double Value, double Low, double High);

/// <summary>One point of a scatter map.</summary>
/// <param name="X">Horizontal coordinate.</param>
/// <param name="Y">Vertical coordinate.</param>
/// <param name="Colour">The category that picks the colour (e.g. the expert label).</param>
/// <param name="Marker">The group that picks the marker shape (e.g. the cluster; -1 draws a cross for noise).</param>
/// <param name="Tooltip">Text shown on hover.</param>
public sealed record ScatterPoint(double X, double Y, string Colour, int Marker, string Tooltip);

/// <summary>Inline SVG charts for reports: no scripts, fonts or images from anywhere.</summary>
public static class SvgCharts
{
    /// <summary>
    /// Points with interval whiskers, categories along x (in the given order) and one colour per series, offset so
    /// series do not overlap. The "Anna Karenina" chart: within-label similarity by label quality, per embedder.
    /// </summary>
    public static string IntervalChart(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<IntervalPoint> points)
    {
        var series = points.Select(p => p.Series).Distinct().ToList();
        const int width = 760, height = 360;
        double left = 70, right = width - 170, top = 40, bottom = height - 60;
        var (min, max) = Range(points.SelectMany(p => new[] { p.Low, p.High, p.Value }));
        var sb = Open(width, height, title);
        YAxis(sb, left, top, bottom, right, min, max, yLabel);
        double band = (right - left) / Math.Max(1, categories.Count);
        for (int c = 0; c < categories.Count; c++)
        {
            var cx = left + band * (c + 0.5);
            sb.Append($"<text x=\"{N(cx)}\" y=\"{N(bottom + 18)}\" text-anchor=\"middle\" class=\"tick\">{Escape(categories[c])}</text>");
            for (int s = 0; s < series.Count; s++)
            {
                var p = points.FirstOrDefault(q => q.Category == categories[c] && q.Series == series[s]);
                if (p is null || double.IsNaN(p.Value)) continue;
                var x = cx + (s - (series.Count - 1) / 2.0) * Math.Min(18, band / (series.Count + 1));
                double Y(double v) => bottom - (v - min) / (max - min) * (bottom - top);
                sb.Append($"<g class=\"point\"><title>{Escape($"{p.Series}, {p.Category}: {p.Value:0.###} [{p.Low:0.###}, {p.High:0.###}]")}</title>");
                sb.Append($"<line x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(Y(p.Low))}\" y2=\"{N(Y(p.High))}\" stroke=\"{Color(s)}\" stroke-width=\"2\"/>");
                sb.Append($"<circle cx=\"{N(x)}\" cy=\"{N(Y(p.Value))}\" r=\"5\" fill=\"{Color(s)}\"/></g>");
            }
        }
        Legend(sb, right + 20, top + 10, series);
        return Close(sb);
    }

    /// <summary>Grouped bars (one colour per series) with optional interval whiskers; y from 0.</summary>
    public static string BarChart(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<IntervalPoint> bars, double? yMax = null)
    {
        var series = bars.Select(p => p.Series).Distinct().ToList();
        int width = Math.Max(760, 90 * categories.Count + 260), height = 360;
        double left = 70, right = width - 190, top = 40, bottom = height - 60;
        var max = yMax ?? Math.Max(1e-9, bars.Select(b => Math.Max(b.High, b.Value)).Where(double.IsFinite).DefaultIfEmpty(1).Max());
        var sb = Open(width, height, title);
        YAxis(sb, left, top, bottom, right, 0, max, yLabel);
        double band = (right - left) / Math.Max(1, categories.Count);
        double barWidth = band * 0.8 / Math.Max(1, series.Count);
        double Y(double v) => bottom - Math.Clamp(v / max, 0, 1) * (bottom - top);
        for (int c = 0; c < categories.Count; c++)
        {
            var x0 = left + band * c + band * 0.1;
            sb.Append($"<text x=\"{N(left + band * (c + 0.5))}\" y=\"{N(bottom + 18)}\" text-anchor=\"middle\" class=\"tick\">{Escape(categories[c])}</text>");
            for (int s = 0; s < series.Count; s++)
            {
                var b = bars.FirstOrDefault(q => q.Category == categories[c] && q.Series == series[s]);
                if (b is null || double.IsNaN(b.Value)) continue;
                var x = x0 + s * barWidth;
                sb.Append($"<g class=\"bar\"><title>{Escape($"{b.Series}, {b.Category}: {b.Value:0.###}")}</title>");
                sb.Append($"<rect x=\"{N(x)}\" y=\"{N(Y(b.Value))}\" width=\"{N(barWidth * 0.92)}\" height=\"{N(bottom - Y(b.Value))}\" fill=\"{Color(s)}\"/>");
                if (b.High > b.Low)
                    sb.Append($"<line x1=\"{N(x + barWidth * 0.46)}\" x2=\"{N(x + barWidth * 0.46)}\" y1=\"{N(Y(b.Low))}\" y2=\"{N(Y(b.High))}\" stroke=\"#333\"/>");
                sb.Append("</g>");
            }
        }
        Legend(sb, right + 20, top + 10, series);
        return Close(sb);
    }

    /// <summary>A heat map of counts (e.g. expert label × cluster contingency), with the count in each cell.</summary>
    public static string Heatmap(string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns, double[,] values, string rowAxis, string columnAxis)
    {
        const int cell = 44;
        int labelWidth = 10 + 7 * rows.Select(r => r.Length).DefaultIfEmpty(4).Max();
        int width = labelWidth + cell * columns.Count + 40, height = 90 + cell * rows.Count;
        double max = 0;
        foreach (var v in values) if (double.IsFinite(v)) max = Math.Max(max, v);
        // Wide enough for the title too (about 8 px per character at the title's size).
        var sb = Open(Math.Max(Math.Max(width, 320), 40 + 8 * title.Length), height, title);
        double top = 60;
        sb.Append($"<text x=\"{N(labelWidth + cell * columns.Count / 2.0)}\" y=\"38\" text-anchor=\"middle\" class=\"axis-label\">{Escape(columnAxis)}</text>");
        for (int j = 0; j < columns.Count; j++)
            sb.Append($"<text x=\"{N(labelWidth + cell * (j + 0.5))}\" y=\"{N(top - 6)}\" text-anchor=\"middle\" class=\"tick\">{Escape(columns[j])}</text>");
        for (int i = 0; i < rows.Count; i++)
        {
            var y = top + i * cell;
            sb.Append($"<text x=\"{N(labelWidth - 6)}\" y=\"{N(y + cell / 2.0 + 4)}\" text-anchor=\"end\" class=\"tick\">{Escape(rows[i])}</text>");
            for (int j = 0; j < columns.Count; j++)
            {
                var v = values[i, j];
                var t = max > 0 ? v / max : 0;
                var shade = (int)Math.Round(255 - 200 * t);
                var fill = $"rgb({shade},{(int)Math.Round(255 - 140 * t)},255)";
                sb.Append($"<g class=\"cell\"><title>{Escape($"{rows[i]} × {columns[j]}: {v:0.##}")}</title>");
                sb.Append($"<rect x=\"{N(labelWidth + j * cell)}\" y=\"{N(y)}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"{fill}\"/>");
                sb.Append($"<text x=\"{N(labelWidth + j * cell + cell / 2.0 - 1)}\" y=\"{N(y + cell / 2.0 + 4)}\" text-anchor=\"middle\" class=\"{(t > 0.6 ? "cell-dark" : "cell-light")}\">{v:0.##}</text></g>");
            }
        }
        sb.Append($"<text transform=\"translate(12,{N(top + cell * rows.Count / 2.0)}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">{Escape(rowAxis)}</text>");
        return Close(sb);
    }

    /// <summary>A 2-D map: colour by <see cref="ScatterPoint.Colour"/>, marker shape by <see cref="ScatterPoint.Marker"/>.</summary>
    public static string Scatter(string title, IReadOnlyList<ScatterPoint> points, IReadOnlyList<string> colourOrder, string xLabel, string yLabel)
    {
        const int width = 760, height = 520;
        double left = 70, right = width - 240, top = 40, bottom = height - 60; // room for long label names in the legend
        var (xmin, xmax) = Range(points.Select(p => p.X));
        var (ymin, ymax) = Range(points.Select(p => p.Y));
        var sb = Open(width, height, title);
        YAxis(sb, left, top, bottom, right, ymin, ymax, yLabel);
        sb.Append($"<text x=\"{N((left + right) / 2)}\" y=\"{N(bottom + 40)}\" text-anchor=\"middle\" class=\"axis-label\">{Escape(xLabel)}</text>");
        foreach (var p in points)
        {
            var x = left + (p.X - xmin) / (xmax - xmin) * (right - left);
            var y = bottom - (p.Y - ymin) / (ymax - ymin) * (bottom - top);
            var colour = Color(Math.Max(0, IndexOf(colourOrder, p.Colour)));
            sb.Append($"<g class=\"dot\"><title>{Escape(p.Tooltip)}</title>{Marker(p.Marker, x, y, colour)}</g>");
        }
        Legend(sb, right + 20, top + 10, colourOrder);
        var markers = points.Select(p => p.Marker).Distinct().Order().Take(8).ToList();
        double my = top + 30 + 18 * colourOrder.Count;
        sb.Append($"<text x=\"{N(right + 20)}\" y=\"{N(my)}\" class=\"legend\">marker = cluster</text>");
        for (int i = 0; i < markers.Count; i++)
        {
            var yy = my + 18 * (i + 1);
            sb.Append(Marker(markers[i], right + 26, yy - 4, "#555"));
            sb.Append($"<text x=\"{N(right + 38)}\" y=\"{N(yy)}\" class=\"legend\">{(markers[i] < 0 ? "noise" : $"cluster {markers[i]}")}</text>");
        }
        return Close(sb);
    }

    private static string Marker(int group, double x, double y, string colour)
    {
        if (group < 0)
            return $"<path d=\"M{N(x - 4)},{N(y - 4)}L{N(x + 4)},{N(y + 4)}M{N(x - 4)},{N(y + 4)}L{N(x + 4)},{N(y - 4)}\" stroke=\"{colour}\" stroke-width=\"1.6\"/>";
        return (group % 4) switch
        {
            0 => $"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"4\" fill=\"{colour}\" fill-opacity=\"0.8\"/>",
            1 => $"<rect x=\"{N(x - 3.5)}\" y=\"{N(y - 3.5)}\" width=\"7\" height=\"7\" fill=\"{colour}\" fill-opacity=\"0.8\"/>",
            2 => $"<path d=\"M{N(x)},{N(y - 5)}L{N(x + 4.5)},{N(y + 3.5)}L{N(x - 4.5)},{N(y + 3.5)}Z\" fill=\"{colour}\" fill-opacity=\"0.8\"/>",
            _ => $"<path d=\"M{N(x)},{N(y - 5)}L{N(x + 5)},{N(y)}L{N(x)},{N(y + 5)}L{N(x - 5)},{N(y)}Z\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
        };
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return (0, 1);
        double min = finite.Min(), max = finite.Max();
        var pad = max > min ? (max - min) * 0.06 : Math.Max(1e-3, Math.Abs(max) * 0.1);
        return (min - pad, max + pad);
    }
}
