using KpLab.Abstractions;
using KpLab.Hosting;
using Xunit.Abstractions;

namespace KpLab.Testing.Tests;

/// <summary>
/// Every plugin built into artifacts/plugins/ passes the conformance kit, loaded through PluginCatalog exactly as the
/// host loads it; a new plugin project under plugins/ is picked up without any change here.
/// </summary>
public sealed class RepositoryPluginTests(ITestOutputHelper output)
{
    private static readonly Lazy<PluginCatalog> Catalog = new(() => PluginCatalog.Load(new PluginSearchPath(BundledFolder(), [])));

    public static TheoryData<string> Plugins()
    {
        var data = new TheoryData<string>();
        foreach (var plugin in Catalog.Value.Plugins) data.Add($"{plugin.Kind.ToString().ToLowerInvariant()}/{plugin.Name}");
        return data;
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public void PluginConforms(string plugin)
    {
        var (kind, name) = (Enum.Parse<PluginKind>(plugin.Split('/')[0], ignoreCase: true), plugin.Split('/')[1]);
        var settings = Settings.TryGetValue(name, out var custom) ? custom : new ConformanceOptions();
        // The catalog knows the options type but not the plugin class: one instance gives it.
        var type = Catalog.Value.Create(kind, name, settings.PluginOptions, PluginContext.Default).GetType();
        var report = PluginConformance.AssertConforms(type, settings);
        output.WriteLine(report.ToString());
    }

    /// <summary>Plugins that need more than their defaults: the ONNX embedder runs the tests' tiny BERT model.</summary>
    private static readonly Dictionary<string, ConformanceOptions> Settings = new()
    {
        ["onnx"] = new ConformanceOptions
        {
            PluginOptions = new { model = Path.Combine(RepoRoot(), "tests", "KpLab.Plugins.Onnx.Tests", "Fixtures", "tiny-bert") },
        },
    };

    [Fact]
    public void EveryBundledPluginAssemblyLoads()
    {
        Assert.Empty(Catalog.Value.Errors);
        Assert.Contains(Catalog.Value.Plugins, p => p.Kind == PluginKind.Embedder);
        Assert.Contains(Catalog.Value.Plugins, p => p.Kind == PluginKind.Metric);
    }

    private static string BundledFolder() => Path.Combine(RepoRoot(), "artifacts", "plugins");

    private static string RepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "KpLab.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No KpLab.sln above {AppContext.BaseDirectory}.");
    }
}
