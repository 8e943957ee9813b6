using System.Globalization;
using System.Net;
using System.Text;

namespace KpLab.Reporting;

/// <summary>Small SVG writing vocabulary shared by the charts: invariant numbers, escaped text, a colour palette.</summary>
internal static class Svg
{
    /// <summary>Okabe–Ito colours: distinguishable for colour-blind readers.</summary>
    public static readonly string[] Palette =
        ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

    public static string Color(int index) => Palette[((index % Palette.Length) + Palette.Length) % Palette.Length];

    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    public static StringBuilder Open(int width, int height, string title)
    {
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Escape(title)}\">");
        sb.Append($"<title>{Escape(title)}</title>");
        sb.Append($"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" class=\"chart-title\">{Escape(title)}</text>");
        return sb;
    }

    public static string Close(StringBuilder sb) => sb.Append("</svg>").ToString();

    /// <summary>"Nice" tick values covering [min, max].</summary>
    public static double[] Ticks(double min, double max, int target = 5)
    {
        if (!(max > min)) { max = min + 1; }
        var raw = (max - min) / target;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        var first = Math.Ceiling(min / step - 1e-9) * step;
        var ticks = new List<double>();
        for (var t = first; t <= max + step * 1e-9; t += step) ticks.Add(Math.Round(t, 10) + 0.0); // + 0.0 turns -0 into 0
        return ticks.ToArray();
    }

    public static void YAxis(StringBuilder sb, double left, double top, double bottom, double right, double min, double max, string label)
    {
        foreach (var t in Ticks(min, max))
        {
            var y = bottom - (t - min) / (max - min) * (bottom - top);
            sb.Append($"<line x1=\"{N(left)}\" x2=\"{N(right)}\" y1=\"{N(y)}\" y2=\"{N(y)}\" class=\"grid\"/>");
            sb.Append($"<text x=\"{N(left - 6)}\" y=\"{N(y + 4)}\" text-anchor=\"end\" class=\"tick\">{t.ToString("0.###", CultureInfo.InvariantCulture)}</text>");
        }
        sb.Append($"<line x1=\"{N(left)}\" x2=\"{N(left)}\" y1=\"{N(top)}\" y2=\"{N(bottom)}\" class=\"axis\"/>");
        sb.Append($"<line x1=\"{N(left)}\" x2=\"{N(right)}\" y1=\"{N(bottom)}\" y2=\"{N(bottom)}\" class=\"axis\"/>");
        var mid = (top + bottom) / 2;
        sb.Append($"<text transform=\"translate({N(left - 48)},{N(mid)}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">{Escape(label)}</text>");
    }

    public static void Legend(StringBuilder sb, double x, double y, IReadOnlyList<string> names, Func<int, string>? marker = null)
    {
        for (int i = 0; i < names.Count; i++)
        {
            var yy = y + i * 18;
            sb.Append(marker is null
                ? $"<rect x=\"{N(x)}\" y=\"{N(yy - 9)}\" width=\"12\" height=\"12\" fill=\"{Color(i)}\"/>"
                : marker(i).Replace("{X}", N(x + 6)).Replace("{Y}", N(yy - 3)));
            sb.Append($"<text x=\"{N(x + 18)}\" y=\"{N(yy + 1)}\" class=\"legend\">{Escape(names[i])}</text>");
        }
    }
}
