using Microsoft.Playwright;

namespace KpLab.Browser;

/// <summary>What a page looked like once its scripts ran: the DOM and what went wrong in its console.</summary>
/// <param name="Dom">The document's HTML after its scripts ran (attributes they set included).</param>
/// <param name="ConsoleErrors">Console messages of type error and uncaught exceptions, in order.</param>
public sealed record RenderedPage(string Dom, IReadOnlyList<string> ConsoleErrors);

/// <summary>
/// Opens local HTML files in Debian's Chromium through Playwright (headless, launched from
/// <see cref="ExecutablePath"/>; Playwright's own browser download is never used) and reports the rendered DOM, the
/// console errors and, when asked, a full-page screenshot.
/// </summary>
public static class HeadlessBrowser
{
    /// <summary>The Chromium binary: <c>$KPLAB_CHROMIUM</c>, or the first of Debian's usual paths that exists.</summary>
    public static string? ExecutablePath =>
        new[] { Environment.GetEnvironmentVariable("KPLAB_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    /// <summary>Loads <paramref name="htmlPath"/>, waits until the page has loaded, and optionally saves a screenshot.</summary>
    /// <param name="htmlPath">The HTML file.</param>
    /// <param name="screenshotPath">Where to save a full-page PNG, or null for none.</param>
    /// <param name="width">The viewport width in CSS pixels.</param>
    /// <exception cref="InvalidOperationException">Chromium is not installed.</exception>
    public static async Task<RenderedPage> RenderAsync(string htmlPath, string? screenshotPath = null, int width = 1100)
    {
        var executable = ExecutablePath ?? throw new InvalidOperationException(
            "Chromium is not installed (scripts/setup installs Debian's 'chromium'); the report rendering tests need it.");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            Timeout = 120_000,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (errors) errors.Add($"console error: {message.Text}");
        };
        page.PageError += (_, error) =>
        {
            lock (errors) errors.Add($"uncaught: {error}");
        };
        await page.GotoAsync(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
        var dom = await page.ContentAsync();
        if (screenshotPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(screenshotPath))!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshotPath, FullPage = true });
        }
        lock (errors) return new RenderedPage(dom, errors.ToArray());
    }
}
