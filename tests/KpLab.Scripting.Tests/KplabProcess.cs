using System.Diagnostics;

namespace KpLab.Scripting.Tests;

/// <summary>
/// The real <c>kplab</c> command (<c>artifacts/kplab/kplab.dll</c>, built by a project reference) as a child process:
/// shared by every test project that runs it (CLI, experiments, fault injection).
/// </summary>
public static class KplabProcess
{
    /// <summary>The repository root (the folder holding KpLab.sln).</summary>
    public static string Repo { get; } = FindRepo();

    /// <summary>How to start <c>kplab <paramref name="args"/></c>, with <c>KPLAB_CACHE</c> set when <paramref name="cache"/> is given.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, string? cache = null)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(Path.Combine(Repo, "artifacts", "kplab", "kplab.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        if (cache is not null) start.Environment["KPLAB_CACHE"] = cache;
        return start;
    }

    /// <summary>Runs <c>kplab <paramref name="args"/></c> to the end (killed after <paramref name="timeout"/>, exit -1).</summary>
    public static (int Exit, string Output, string Error) Run(IEnumerable<string> args, string? cache = null, TimeSpan? timeout = null)
    {
        var start = StartInfo(args, cache);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, stdout.Result, $"timed out after {limit}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KpLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("KpLab.sln not found above the test assembly.");
    }
}
