using System.Diagnostics;
using KpLab.Scripting.Tests;

namespace KpLab.Cluster.Tests;

/// <summary>
/// The real <c>kplab</c> as a child process on this machine, with the embedding cache in <paramref name="work"/> and
/// the bundled datasets: the shard runs and merges of the tests without a scheduler.
/// </summary>
internal sealed class LocalKplab(string work)
{
    /// <summary>Copies the test fixture <paramref name="name"/> (in <c>Fixtures/</c>) into the work folder and returns its path.</summary>
    public string Fixture(string name)
    {
        var path = Path.Combine(work, name);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", name), path);
        return path;
    }

    /// <summary>Runs <c>kplab <paramref name="args"/></c>; asserts it succeeded and returns stdout and stderr together.</summary>
    public string Run(params string[] args)
    {
        var (exit, output, error) = Kplab(args);
        Assert.True(exit == 0, $"kplab {string.Join(" ", args)} exited {exit}:\n{output}\n{error}");
        return output + error;
    }

    /// <summary>Runs <c>kplab <paramref name="args"/></c> (killed after 5 minutes, exit -1).</summary>
    public (int Exit, string Output, string Error) Kplab(IReadOnlyList<string> args)
    {
        var start = KplabProcess.StartInfo(args, Path.Combine(work, "cache"));
        start.Environment["KPLAB_DATA"] = Path.Combine(KplabProcess.Repo, "experiments", "data");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, stdout.Result, "timed out\n" + stderr.Result);
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
