using System.Text.Json;
using KpLab.Scripting;

namespace KpLab.Scripting.Tests;

/// <summary>A temporary folder with one compiled-script cache shared by a test class (cold compiles cost seconds).</summary>
public sealed class ScriptWorkspace : IDisposable
{
    public ScriptWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "kplab-scripting-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }
    public string ScriptCache => Path.Combine(Root, "cache", "scripts");
    public string EmbeddingCache => Path.Combine(Root, "cache", "embeddings");
    public string ReductionCache => Path.Combine(Root, "cache", "reductions");
    public string Runs => Path.Combine(Root, "runs");
    public string NuGetCache => Path.Combine(Root, "cache", "nuget");

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task<(RunResult Result, string Output, string Error)> RunAsync(string script, IPluginSource? plugins = null,
        string[]? args = null, int seed = 0, int threads = 1, CancellationToken cancellation = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var source = plugins ?? new FakePluginSource();
        var result = await ScriptRunner.RunAsync(new RunRequest
        {
            ScriptPath = Path.Combine(Root, script),
            Args = args ?? [],
            Seed = seed,
            Threads = threads,
            RunsDirectory = Runs,
            ScriptCacheDirectory = ScriptCache,
            EmbeddingCacheDirectory = EmbeddingCache,
            ReductionCacheDirectory = ReductionCache,
            NuGetCacheDirectory = NuGetCache,
            Plugins = () => source,
            Output = output,
            Error = error,
            Cancellation = cancellation,
        });
        return (result, output.ToString(), error.ToString());
    }

    public static JsonElement Record(RunResult result) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(result.RunDirectory!, ScriptRunner.RecordFile))).RootElement;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
