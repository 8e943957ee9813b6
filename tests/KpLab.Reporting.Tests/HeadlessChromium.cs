using System.Diagnostics;

namespace KpLab.Reporting.Tests;

/// <summary>Runs Debian's headless Chromium on a local file: DOM after scripts, a screenshot, and console errors.</summary>
internal static class HeadlessChromium
{
    public static string? Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static (string Dom, string Log) DumpDom(string htmlPath) => Run(htmlPath, "--dump-dom");

    public static string Screenshot(string htmlPath, string pngPath, int width = 1100, int height = 4200)
    {
        var (_, log) = Run(htmlPath, $"--screenshot={pngPath}", $"--window-size={width},{height}");
        return log;
    }

    private static (string Stdout, string Stderr) Run(string htmlPath, params string[] extra)
    {
        var exe = Executable ?? throw new InvalidOperationException(
            "Chromium is not installed (scripts/setup installs Debian's 'chromium'); the report rendering test needs it.");
        var profile = Directory.CreateTempSubdirectory("kplab-chromium-").FullName;
        try
        {
            var psi = new ProcessStartInfo(exe)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--enable-logging=stderr", "--v=0", $"--user-data-dir={profile}",
                     }.Concat(extra))
                psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("Chromium did not finish within 120 s.");
            }
            return (stdout.Result, stderr.Result);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Console messages Chromium logged at error level or uncaught exceptions.</summary>
    public static IReadOnlyList<string> ConsoleErrors(string log) =>
        log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal) &&
                                   (l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains("ERROR", StringComparison.Ordinal)))
            .ToArray();
}
