using System.Globalization;
using System.Net;
using System.Text;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Reporting;

/// <summary>
/// A self-contained HTML report: headings, plain-language paragraphs, inline SVG charts and tables, with its styles
/// inline and nothing loaded from the network. A small inline check marks each chart as rendered (non-empty box) in
/// the page's <c>data-charts-rendered</c> attribute (opening a closed <see cref="Collapsible"/> section for the
/// measurement), which the rendering test reads from headless Chromium.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();
    private int _charts;

    /// <summary>The report's title.</summary>
    public string Title { get; } = title;

    /// <summary>Number of charts added.</summary>
    public int ChartCount => _charts;

    /// <summary>Adds a section heading.</summary>
    public HtmlReport Heading(string text, int level = 2)
    {
        level = Math.Clamp(level, 2, 4);
        _body.Append($"<h{level}>{Escape(text)}</h{level}>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text)
    {
        _body.Append($"<p>{Escape(text)}</p>\n");
        return this;
    }

    /// <summary>Adds a bulleted list of plain-text items.</summary>
    public HtmlReport Bullets(IEnumerable<string> items)
    {
        _body.Append("<ul>");
        foreach (var item in items) _body.Append($"<li>{Escape(item)}</li>");
        _body.Append("</ul>\n");
        return this;
    }

    /// <summary>Adds an SVG chart (from <see cref="SvgCharts"/>) with a caption.</summary>
    public HtmlReport Chart(string svg, string caption)
    {
        _charts++;
        _body.Append($"<figure class=\"figure\" data-chart=\"{_charts}\">{svg}<figcaption>{Escape(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>
    /// Adds a collapsible section (an HTML <c>details</c> element, closed unless <paramref name="open"/>) whose
    /// <paramref name="content"/> is written by the callback: headings, paragraphs, charts and tables as anywhere else.
    /// Charts inside still count in <see cref="ChartCount"/>, and the rendering check opens a closed section to measure them.
    /// </summary>
    public HtmlReport Collapsible(string summary, Action<HtmlReport> content, bool open = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        _body.Append($"<details{(open ? " open" : "")}><summary>{Escape(summary)}</summary>\n<div class=\"details-body\">\n");
        content(this);
        _body.Append("</div></details>\n");
        return this;
    }

    /// <summary>Adds a table; numbers are shown with <paramref name="digits"/> decimals.</summary>
    public HtmlReport Table(ResultTable table, string caption, int digits = 3, int maxRows = 300)
    {
        ArgumentNullException.ThrowIfNull(table);
        _body.Append($"<table><caption>{Escape(caption)}</caption><thead><tr>");
        foreach (var c in table.Columns) _body.Append($"<th>{Escape(c)}</th>");
        _body.Append("</tr></thead><tbody>");
        foreach (var row in table.Rows.Take(maxRows))
        {
            _body.Append("<tr>");
            foreach (var v in row)
                _body.Append(v is double or float ? $"<td class=\"num\">{Format(v, digits)}</td>" : $"<td>{Escape(Format(v, digits))}</td>");
            _body.Append("</tr>");
        }
        _body.Append("</tbody></table>\n");
        if (table.Rows.Count > maxRows)
            Paragraph($"({table.Rows.Count - maxRows} more rows in {table.Name}.csv)");
        return this;
    }

    /// <summary>The whole page.</summary>
    public string ToHtml() =>
        $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Escape(Title)}}</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
        h1{font-size:1.7em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
        .figure{margin:1.2em 0} figcaption{font-size:.9em;color:#555;max-width:760px}
        svg.chart{background:#fff;border:1px solid #eee;max-width:100%;height:auto}
        .chart-title{font-size:14px;font-weight:600} .tick{font-size:11px;fill:#444} .axis-label{font-size:12px;fill:#222}
        .legend{font-size:12px;fill:#222} .grid{stroke:#eee} .axis{stroke:#999}
        .cell-light{font-size:11px;fill:#123} .cell-dark{font-size:11px;fill:#fff}
        table{border-collapse:collapse;margin:1em 0;font-size:.88em} caption{text-align:left;font-weight:600;padding:.3em 0}
        th,td{border:1px solid #ddd;padding:.25em .5em} th{background:#f5f5f5} td.num{text-align:right;font-variant-numeric:tabular-nums}
        details{margin:.6em 0;border:1px solid #ddd;border-radius:4px;padding:.3em .8em} summary{cursor:pointer;font-weight:600;padding:.2em 0}
        details[open]>summary{border-bottom:1px solid #eee;margin-bottom:.5em} .details-body{overflow-x:auto}
        </style></head>
        <body data-charts="{{_charts}}">
        <h1>{{Escape(Title)}}</h1>
        {{_body}}
        <script>
        (function(){var n=0;document.querySelectorAll('svg.chart').forEach(function(s){var closed=[];for(var d=s.closest('details');d;d=d.parentElement.closest('details'))if(!d.open){d.open=true;closed.push(d);}
        var b=s.getBBox();if(b.width>0&&b.height>0&&s.querySelectorAll('circle,rect,path,line,polyline').length>0)n++;closed.forEach(function(d){d.open=false;});});document.body.setAttribute('data-charts-rendered',String(n));})();
        </script>
        </body></html>
        """;

    /// <summary>Writes the page atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Format(object? value, int digits) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "–",
        double d => d.ToString("F" + digits, CultureInfo.InvariantCulture),
        float f => f.ToString("F" + digits, CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
