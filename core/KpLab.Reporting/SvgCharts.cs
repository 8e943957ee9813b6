using System.Globalization;
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

/// <summary>One vertex of a line chart: a series' value at a numeric x, with an optional band.</summary>
/// <param name="Series">The series (one line and colour each), e.g. an embedder.</param>
/// <param name="X">The x coordinate, e.g. the number of clusters k.</param>
/// <param name="Value">The value drawn on the line.</param>
/// <param name="Low">The band's lower end (equal to <paramref name="Value"/>, or NaN, for no band).</param>
/// <param name="High">The band's upper end.</param>
public sealed record LinePoint(string Series, double X, double Value, double Low, double High);

/// <summary>
/// One dumbbell: for a (category, series) pair, a reference value (hollow marker) joined to the observed value (filled
/// marker), e.g. the best-match F1 a label's size alone gives under label permutation against the F1 observed.
/// </summary>
/// <param name="Category">The x-axis category, e.g. an expert label.</param>
/// <param name="Series">The series, e.g. an embedder; one colour each.</param>
/// <param name="Reference">The reference value (hollow marker).</param>
/// <param name="Value">The observed value (filled marker).</param>
public sealed record DumbbellPoint(string Category, string Series, double Reference, double Value);

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
    public static string Heatmap(string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns, double[,] values, string rowAxis, string columnAxis) =>
        Heatmap(title, rows, columns, values, rowAxis, columnAxis, "0.##");

    /// <summary>
    /// A heat map with each cell's value written in <paramref name="valueFormat"/> (e.g. "0.000" for mean ARI). Shading
    /// runs from 0 (white) to the largest finite value; values below 0 shade as 0, NaN cells are grey and read "–".
    /// </summary>
    public static string Heatmap(string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns, double[,] values, string rowAxis,
        string columnAxis, string valueFormat)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) != rows.Count || values.GetLength(1) != columns.Count)
            throw new ArgumentException($"Heatmap '{title}': values are {values.GetLength(0)} × {values.GetLength(1)}, but there are {rows.Count} rows and {columns.Count} columns.", nameof(values));
        int cell = Math.Max(44, 12 + 7 * columns.Select(c => c.Length).DefaultIfEmpty(0).Max()); // wide enough for its column name
        int labelWidth = 10 + 7 * rows.Select(r => r.Length).DefaultIfEmpty(4).Max();
        int width = labelWidth + cell * columns.Count + 40, height = 90 + cell * rows.Count;
        double max = 0;
        foreach (var v in values) if (double.IsFinite(v)) max = Math.Max(max, v);
        // Wide enough for the title too (up to about 9 px per character at the title's size).
        var sb = Open(Math.Max(Math.Max(width, 320), 40 + 9 * title.Length), height, title);
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
                var t = max > 0 && double.IsFinite(v) ? Math.Clamp(v / max, 0, 1) : 0;
                var shade = (int)Math.Round(255 - 200 * t);
                var fill = double.IsFinite(v) ? $"rgb({shade},{(int)Math.Round(255 - 140 * t)},255)" : "#ddd";
                var text = double.IsFinite(v) ? v.ToString(valueFormat, CultureInfo.InvariantCulture) : "–";
                sb.Append($"<g class=\"cell\"><title>{Escape($"{rows[i]} × {columns[j]}: {text}")}</title>");
                sb.Append($"<rect x=\"{N(labelWidth + j * cell)}\" y=\"{N(y)}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"{fill}\"/>");
                sb.Append($"<text x=\"{N(labelWidth + j * cell + cell / 2.0 - 1)}\" y=\"{N(y + cell / 2.0 + 4)}\" text-anchor=\"middle\" class=\"{(t > 0.6 ? "cell-dark" : "cell-light")}\">{Escape(text)}</text></g>");
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

    /// <summary>
    /// Lines over a numeric x, one colour per series (in order of first appearance), each vertex marked, with a shaded
    /// band from <see cref="LinePoint.Low"/> to <see cref="LinePoint.High"/> where a series has one. The k-sweep chart:
    /// agreement by number of clusters, one line per embedder. Each series' line is a <c>polyline</c> with
    /// <c>data-series</c>; its vertices are in increasing x.
    /// </summary>
    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<LinePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var series = points.Select(p => p.Series).Distinct().ToList();
        const int width = 760, height = 360;
        double left = 70, right = width - 170, top = 40, bottom = height - 60;
        var drawn = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Value)).ToList();
        var (min, max) = Range(drawn.SelectMany(p => new[] { p.Low, p.High, p.Value }));
        var (xmin, xmax) = drawn.Count == 0 ? (0.0, 1.0) : (drawn.Min(p => p.X), drawn.Max(p => p.X));
        if (!(xmax > xmin)) (xmin, xmax) = (xmin - 0.5, xmax + 0.5);
        double X(double x) => left + (x - xmin) / (xmax - xmin) * (right - left);
        double Y(double v) => bottom - (v - min) / (max - min) * (bottom - top);
        var sb = Open(width, height, title);
        YAxis(sb, left, top, bottom, right, min, max, yLabel);
        foreach (var t in Ticks(xmin, xmax, Math.Min(10, Math.Max(2, (int)Math.Round(xmax - xmin)))))
            sb.Append($"<text x=\"{N(X(t))}\" y=\"{N(bottom + 18)}\" text-anchor=\"middle\" class=\"tick\">{t.ToString("0.###", CultureInfo.InvariantCulture)}</text>");
        sb.Append($"<text x=\"{N((left + right) / 2)}\" y=\"{N(bottom + 40)}\" text-anchor=\"middle\" class=\"axis-label\">{Escape(xLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            var line = drawn.Where(p => p.Series == series[s]).OrderBy(p => p.X).ToList();
            if (line.Count == 0) continue;
            var band = line.Where(p => double.IsFinite(p.Low) && double.IsFinite(p.High) && p.High > p.Low).ToList();
            if (band.Count == line.Count && line.Count > 1)
                sb.Append($"<polygon class=\"band\" data-series=\"{Escape(series[s])}\" fill=\"{Color(s)}\" fill-opacity=\"0.13\" stroke=\"none\" points=\"" +
                          string.Join(" ", line.Select(p => $"{N(X(p.X))},{N(Y(p.High))}").Concat(line.AsEnumerable().Reverse().Select(p => $"{N(X(p.X))},{N(Y(p.Low))}"))) + "\"/>");
            sb.Append($"<polyline class=\"line\" data-series=\"{Escape(series[s])}\" fill=\"none\" stroke=\"{Color(s)}\" stroke-width=\"2\" points=\"" +
                      string.Join(" ", line.Select(p => $"{N(X(p.X))},{N(Y(p.Value))}")) + "\"/>");
            foreach (var p in line)
                sb.Append($"<g class=\"point\"><title>{Escape($"{p.Series}, {p.X:0.###}: {p.Value:0.###}" + (p.High > p.Low ? $" [{p.Low:0.###}, {p.High:0.###}]" : ""))}</title>" +
                          $"<circle cx=\"{N(X(p.X))}\" cy=\"{N(Y(p.Value))}\" r=\"3\" fill=\"{Color(s)}\"/></g>");
        }
        Legend(sb, right + 20, top + 10, series);
        return Close(sb);
    }

    /// <summary>
    /// Dumbbells: per category (along x, in the given order) and series (one colour each, offset side by side), a hollow
    /// marker at the reference value joined by a line to a filled marker at the observed value. The line's length is
    /// the excess of the observed over the reference, e.g. discoverability raw against what label size alone gives.
    /// </summary>
    public static string DumbbellChart(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<DumbbellPoint> points,
        string referenceName, string valueName)
    {
        ArgumentNullException.ThrowIfNull(points);
        var series = points.Select(p => p.Series).Distinct().ToList();
        int width = Math.Max(760, 90 * categories.Count + 260), height = 380;
        double left = 70, right = width - 190, top = 40, bottom = height - 60;
        var (min, max) = Range(points.SelectMany(p => new[] { p.Reference, p.Value }));
        double Y(double v) => bottom - (v - min) / (max - min) * (bottom - top);
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
                if (p is null || !double.IsFinite(p.Value) || !double.IsFinite(p.Reference)) continue;
                var x = cx + (s - (series.Count - 1) / 2.0) * Math.Min(16, band / (series.Count + 1));
                sb.Append($"<g class=\"dumbbell\"><title>{Escape($"{p.Series}, {p.Category}: {valueName} {p.Value:0.###}, {referenceName} {p.Reference:0.###}, excess {p.Value - p.Reference:+0.###;-0.###;0}")}</title>");
                sb.Append($"<line x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(Y(p.Reference))}\" y2=\"{N(Y(p.Value))}\" stroke=\"{Color(s)}\" stroke-width=\"2\"/>");
                sb.Append($"<circle class=\"reference\" cx=\"{N(x)}\" cy=\"{N(Y(p.Reference))}\" r=\"4\" fill=\"#fff\" stroke=\"{Color(s)}\" stroke-width=\"1.5\"/>");
                sb.Append($"<circle class=\"observed\" cx=\"{N(x)}\" cy=\"{N(Y(p.Value))}\" r=\"4.5\" fill=\"{Color(s)}\"/></g>");
            }
        }
        Legend(sb, right + 20, top + 10, series);
        double ky = top + 30 + 18 * series.Count;
        sb.Append($"<circle cx=\"{N(right + 26)}\" cy=\"{N(ky - 4)}\" r=\"4.5\" fill=\"#555\"/><text x=\"{N(right + 38)}\" y=\"{N(ky)}\" class=\"legend\">{Escape(valueName)}</text>");
        sb.Append($"<circle cx=\"{N(right + 26)}\" cy=\"{N(ky + 14)}\" r=\"4\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"1.5\"/><text x=\"{N(right + 38)}\" y=\"{N(ky + 18)}\" class=\"legend\">{Escape(referenceName)}</text>");
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
