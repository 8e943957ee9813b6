using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace KpLab.Sdk.Tests;

/// <summary>
/// A third party's path end to end: pack the SDK, create plugins from the templates outside the repository, restore
/// KpLab packages from the local feed only, build, run their conformance tests, load the plugin into kplab.
/// </summary>
public sealed class TemplateTests(SdkWorkspace sdk) : IClassFixture<SdkWorkspace>
{
    [Theory]
    [InlineData("KpLab.Abstractions")]
    [InlineData("KpLab.Kernels")]
    [InlineData("KpLab.Hosting")]
    [InlineData("KpLab.Testing")]
    public void LibraryPackagesCarryMetadataDocsReadmeAndSymbols(string id)
    {
        using var package = ZipFile.OpenRead(Path.Combine(sdk.Feed, $"{id}.{sdk.Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains("README.md", entries);
        var metadata = Nuspec(package);
        Assert.Equal(sdk.Version, Value(metadata, "version"));
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("url"));
        // Every KpLab dependency is pinned to the same version.
        var kplab = metadata.Descendants().Where(e => e.Name.LocalName == "dependency" && e.Attribute("id")!.Value.StartsWith("KpLab."));
        Assert.All(kplab, d => Assert.Equal(sdk.Version, d.Attribute("version")!.Value));

        using var symbols = ZipFile.OpenRead(Path.Combine(sdk.Feed, $"{id}.{sdk.Version}.snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net10.0/{id}.pdb");
    }

    [Fact]
    public void TemplatePackPinsTheKpLabVersionItIsPackedWith()
    {
        using var package = ZipFile.OpenRead(Path.Combine(sdk.Feed, $"KpLab.Templates.{sdk.Version}.nupkg"));
        var metadata = Nuspec(package);
        Assert.Equal("Template", metadata.Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")!.Value);
        foreach (var template in new[] { "kplab-embedder", "kplab-clusterer", "kplab-metric", "kplab-reducer" })
        {
            var json = new StreamReader(package.GetEntry($"content/{template}/.template.config/template.json")!.Open()).ReadToEnd();
            Assert.Contains($"\"shortName\": \"{template}\"", json);
            Assert.Matches($"\"defaultValue\": \"{Regex.Escape(sdk.Version)}\"", json);
            Assert.DoesNotContain("__PACK_VERSION__", json);
        }
    }

    [Fact]
    public void EmbedderTemplateBuildsPassesItsTestsAndRunsInKplab()
    {
        var project = sdk.New("kplab-embedder", "Acme.Hashing", "acme-hashing");
        var test = sdk.Dotnet(project, "test", "-c", "Release");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+3,", test);

        // The contracts come from the host, never from the plugin's folder.
        var output = Path.Combine(project, "src", "Acme.Hashing", "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "Acme.Hashing.dll")));
        Assert.True(File.Exists(Path.Combine(output, "Acme.Hashing.deps.json")));
        Assert.Empty(Directory.EnumerateFiles(output, "KpLab.*.dll"));
        Assert.Empty(Directory.EnumerateFiles(output, "YamlDotNet.dll"));

        // KpLab packages were restored from the local feed, fresh.
        foreach (var id in new[] { "kplab.abstractions", "kplab.kernels", "kplab.testing" })
        {
            var restored = File.ReadAllText(Path.Combine(sdk.Packages, id, sdk.Version, ".nupkg.metadata"));
            Assert.Contains(sdk.Feed.Replace("\\", "\\\\"), restored);
        }

        var listing = sdk.Kplab(sdk.Outside, "--plugins", output, "plugins");
        Assert.Matches(@"acme-hashing 0\.1\.0 \(external\)", listing);
        Assert.Matches(@"use-lite \S+ \(bundled\)", listing);

        File.WriteAllText(Path.Combine(sdk.Outside, "use-acme.csx"), """
            var vectors = Lab.Embedder("acme-hashing", new { dimension = 64 }).Embed(new[] { "The bulb lights.", "The circuit is closed.", "" });
            Lab.Log($"embedded {vectors.Rows} x {vectors.Columns}, norm {KpLab.Kernels.VectorMath.Norm(vectors.Row(0)):F3}");
            """);
        var run = sdk.Kplab(sdk.Outside, "--plugins", output, "run", "use-acme.csx");
        Assert.Contains("embedded 3 x 64, norm 1.000", run);
    }

    [Theory]
    [InlineData("kplab-clusterer", "Acme.Lloyd", "acme-lloyd", 2)]
    [InlineData("kplab-metric", "Acme.Purity", "acme-purity", 3)]
    [InlineData("kplab-reducer", "Acme.Projection", "acme-projection", 2)]
    public void ClustererMetricAndReducerTemplatesBuildAndPassTheirTests(string template, string name, string plugin, int tests)
    {
        var project = sdk.New(template, name, plugin);
        var test = sdk.Dotnet(project, "test", "-c", "Release");
        Assert.Matches($@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+{tests},", test);
        var output = Path.Combine(project, "src", name, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, $"{name}.dll")));
        Assert.Empty(Directory.EnumerateFiles(output, "KpLab.*.dll"));
        Assert.Contains($"\"{plugin}\"", File.ReadAllText(Directory.EnumerateFiles(Path.Combine(project, "src", name), "*.cs").Single()));
    }

    private static XElement Nuspec(ZipArchive package)
    {
        var entry = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
}
