using System.Diagnostics;
using KpLab.Abstractions;

namespace KpLab.Cli;

/// <summary>
/// Gets the pre-trained models into KpLab's cache by running the <c>fetch-models</c> script KpLab ships (in the tool
/// package beside <c>kplab</c>, or in the repository's <c>scripts/</c>): one fetcher, the same for a clone and a tool
/// install. A stamp named after the script's hash records a completed fetch, so the check before a run costs one file
/// lookup, and a new model list (a changed script) fetches again.
/// </summary>
/// <param name="script">The <c>fetch-models</c> bash script.</param>
/// <param name="cacheDirectory">KpLab's cache folder (the script's <c>KPLAB_CACHE</c>).</param>
public sealed class ModelFetcher(string script, string cacheDirectory)
{
    /// <summary>The script's file name.</summary>
    public const string ScriptName = "fetch-models";

    /// <summary>The script.</summary>
    public string Script { get; } = Path.GetFullPath(script);

    /// <summary>The cache folder the models go into.</summary>
    public string CacheDirectory { get; } = Path.GetFullPath(cacheDirectory);

    /// <summary>
    /// The fetcher of this installation: <c>scripts/fetch-models</c> beside the host (a tool install), else in the
    /// repository the host was built in; null when neither exists.
    /// </summary>
    public static ModelFetcher? Locate(string hostDirectory, string cacheDirectory)
    {
        var beside = Path.Combine(hostDirectory, "scripts", ScriptName);
        if (File.Exists(beside)) return new ModelFetcher(beside, cacheDirectory);
        for (var folder = new DirectoryInfo(hostDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "KpLab.sln")))
            {
                var inRepository = Path.Combine(folder.FullName, "scripts", ScriptName);
                return File.Exists(inRepository) ? new ModelFetcher(inRepository, cacheDirectory) : null;
            }
        return null;
    }

    /// <summary>Whether this script's models were fetched completely into the cache.</summary>
    public bool IsReady => File.Exists(StampPath);

    private string StampPath => Path.Combine(CacheDirectory, $".models-ready-{ContentHash.OfFile(Script)[..16]}");

    /// <summary>
    /// Runs the script (it skips what is already there and checks every download's integrity), passing its progress
    /// lines to <paramref name="progress"/>; on success stamps the cache. Returns the script's exit code.
    /// </summary>
    public int Fetch(TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var start = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Run through bash: a file from a NuGet package has lost its executable bit.
        start.ArgumentList.Add(Script);
        start.Environment["KPLAB_CACHE"] = CacheDirectory;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            progress.WriteLine($"kplab: cannot run {Script} (bash is needed to fetch the models): {e.Message}");
            return 127;
        }
        using (process)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (progress) progress.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (progress) progress.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            if (process.ExitCode == 0)
            {
                Directory.CreateDirectory(CacheDirectory);
                File.WriteAllText(StampPath, Script + "\n");
            }
            return process.ExitCode;
        }
    }
}
