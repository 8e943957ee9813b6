namespace KpLab.Cli.Tests;

/// <summary>
/// Models on first use: the first `kplab run` whose script asks for a plugin runs the shipped fetch-models script (its
/// progress shown), later runs skip it, a script that uses no plugin never fetches; `kplab setup` fetches on demand. A
/// stand-in script counts its runs; the plugin source is empty (the script's request fails, as the script expects).
/// </summary>
public sealed class ModelFetcherTests : IDisposable
{
    private readonly TemporaryFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string FakeFetcher(int exitCode)
    {
        var script = Path.Combine(_temp.Sub("scripts"), ModelFetcher.ScriptName);
        File.WriteAllText(script, $"""
            echo "fetch-models: npm pack fake-model@1.0.0" >&2
            mkdir -p "$KPLAB_CACHE/fetches" && mktemp -p "$KPLAB_CACHE/fetches" >/dev/null
            exit {exitCode}

            """);
        return script;
    }

    private async Task<(int Exit, string Out, string Error)> Kplab(ModelFetcher models, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var app = new KplabApp(_ => new NoPlugins())
        {
            Out = output,
            Error = error,
            Models = models,
            ScriptCacheDirectory = Path.Combine(_temp.Path, "cache", "scripts"),
            EmbeddingCacheDirectory = Path.Combine(_temp.Path, "cache", "embeddings"),
        };
        int exit = await app.InvokeAsync(args);
        return (exit, output.ToString(), error.ToString());
    }

    private int Fetches => Directory.Exists(Path.Combine(_temp.Path, "cache", "fetches"))
        ? Directory.GetFiles(Path.Combine(_temp.Path, "cache", "fetches")).Length
        : 0;

    private string[] RunArgs(bool usesPlugin = true)
    {
        var script = Path.Combine(_temp.Path, usesPlugin ? "embeds.csx" : "hello.csx");
        File.WriteAllText(script, usesPlugin
            ? "try { Lab.Embedder(\"use-lite\"); } catch (Exception) { }\nLab.Log(\"hello\");\n"
            : "Lab.Log(\"hello\");\n");
        return ["run", script, "--runs", Path.Combine(_temp.Path, "runs")];
    }

    [Fact]
    public async Task AScriptThatUsesNoPluginFetchesNothing()
    {
        var models = new ModelFetcher(FakeFetcher(0), Path.Combine(_temp.Path, "cache"));
        var run = await Kplab(models, RunArgs(usesPlugin: false));
        Assert.True(run.Exit == 0, run.Error);
        Assert.DoesNotContain("fetch", run.Error);
        Assert.Equal(0, Fetches);
        Assert.False(models.IsReady);
    }

    /// <summary>A plugin source with no plugins.</summary>
    private sealed class NoPlugins : Scripting.IPluginSource
    {
        public IReadOnlyList<Hosting.PluginDescriptor> Plugins => [];
        public IReadOnlyList<Hosting.PluginLoadError> Errors => [];
        public Hosting.PluginDescriptor Find(Abstractions.PluginKind kind, string name) => throw new Hosting.UnknownPluginException(kind, name, []);
        public Hosting.PluginInstance Create(Abstractions.PluginKind kind, string name, object? options, Abstractions.PluginContext context) =>
            throw new Hosting.UnknownPluginException(kind, name, []);
    }

    [Fact]
    public async Task TheFirstRunFetchesWithProgressAndLaterRunsDoNot()
    {
        var models = new ModelFetcher(FakeFetcher(0), Path.Combine(_temp.Path, "cache"));
        var first = await Kplab(models, RunArgs());
        Assert.True(first.Exit == 0, first.Error);
        Assert.Contains("first use: fetching the models", first.Error);
        Assert.Contains("fetch-models: npm pack fake-model@1.0.0", first.Error);
        Assert.Equal(1, Fetches);
        Assert.True(models.IsReady);

        var second = await Kplab(models, RunArgs());
        Assert.True(second.Exit == 0, second.Error);
        Assert.DoesNotContain("fetch-models", second.Error);
        Assert.Equal(1, Fetches);

        var setup = await Kplab(models, "setup");
        Assert.Equal(0, setup.Exit);
        Assert.Contains("models ready", setup.Out);
        Assert.Equal(2, Fetches);
    }

    [Fact]
    public async Task AFailedFetchWarnsRunsTheScriptAnyWayAndIsTriedAgainNextTime()
    {
        var models = new ModelFetcher(FakeFetcher(3), Path.Combine(_temp.Path, "cache"));
        var first = await Kplab(models, RunArgs());
        Assert.True(first.Exit == 0, first.Error);
        Assert.Contains("hello", first.Out);
        Assert.Contains("warning: the models could not all be fetched", first.Error);
        Assert.False(models.IsReady);
        await Kplab(models, RunArgs());
        Assert.Equal(2, Fetches);
        Assert.Equal(1, (await Kplab(models, "setup")).Exit);
    }
}
