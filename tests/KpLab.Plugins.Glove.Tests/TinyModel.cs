using KpLab.Abstractions;

namespace KpLab.Plugins.Glove.Tests;

/// <summary>The 40-word fixture vocabulary in a private, temporary KpLab cache.</summary>
internal sealed class TinyModel : IDisposable
{
    public TinyModel()
    {
        Cache = Path.Combine(Path.GetTempPath(), "kplab-glove-tests-" + Guid.NewGuid().ToString("N"));
        Logs = [];
        Context = new PluginContext(new RandomSource(0)) { CacheDirectory = Cache, Log = Logs.Add };
    }

    public static string JsonPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-wink.json");
    public string Cache { get; }
    public List<string> Logs { get; }
    public PluginContext Context { get; }

    public GloveEmbedder Embedder(GloveOptions? options = null) =>
        new((options ?? new GloveOptions()) with { VectorsPath = JsonPath }, Context);

    public void Dispose()
    {
        try { Directory.Delete(Cache, recursive: true); }
        catch (IOException) { }
    }
}
