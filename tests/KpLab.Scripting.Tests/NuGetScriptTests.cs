namespace KpLab.Scripting.Tests;

/// <summary>
/// <c>#r "nuget: Name, Version"</c>: restored through the configured sources into the KpLab cache, referenced, loaded,
/// recorded with its hash, offline on rerun, and a located error when it cannot be had. Humanizer.Core is a package
/// KpLab itself does not reference; these tests need the NuGet registry once per fresh cache.
/// </summary>
public sealed class NuGetScriptTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    // SHA-256 of humanizer.core.2.14.1.nupkg as the registry serves it (sha512 in its .nupkg.metadata matches too).
    private const string HumanizerSha256 = "117be88dd74fbbef492a0386f4d4908144df5aad51a4e630eda7710cf28327aa";

    private const string Script = """
        #r "nuget: Humanizer.Core, 2.14.1"
        using Humanizer;
        Lab.Log("PascalCaseInputString".Humanize());
        Lab.Log("person".Pluralize());
        """;

    [Fact]
    public async Task APackageIsRestoredReferencedLoadedAndRecordedThenUsedOfflineOnRerun()
    {
        workspace.Write("humanize/first.csx", Script);
        var (result, output, error) = await workspace.RunAsync("humanize/first.csx");
        Assert.True(result.ExitCode == 0, error);
        Assert.Equal("Pascal case input string\npeople\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("restoring NuGet package Humanizer.Core 2.14.1", error);
        Assert.True(File.Exists(Path.Combine(workspace.NuGetCache, "packages", "humanizer.core", "2.14.1", "humanizer.core.2.14.1.nupkg")));
        var package = Assert.Single(ScriptWorkspace.Record(result).GetProperty("packages").EnumerateArray());
        Assert.Equal("Humanizer.Core", package.GetProperty("name").GetString());
        Assert.Equal("2.14.1", package.GetProperty("version").GetString());
        Assert.Equal(HumanizerSha256, package.GetProperty("sha256").GetString());

        // Rerun (a changed script, so it compiles again) with every NuGet source unreachable: nothing is restored.
        workspace.Write("humanize/nuget.config", """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="gone" value="/nonexistent/kplab-feed" /></packageSources></configuration>
            """);
        workspace.Write("humanize/second.csx", "// again\n" + Script);
        var (again, againOutput, againError) = await workspace.RunAsync("humanize/second.csx");
        Assert.True(again.ExitCode == 0, againError);
        Assert.Equal("Pascal case input string\npeople\n", againOutput.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("restoring", againError);
        Assert.Equal(HumanizerSha256, ScriptWorkspace.Record(again).GetProperty("packages")[0].GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task APackageThatCannotBeHadIsALocatedErrorWithNuGetsReason()
    {
        var path = workspace.Write("missing.csx", "// a package the registry does not have\n#r \"nuget: KpLab.NoSuchPackage.Anywhere, 1.0.0\"\nLab.Log(\"after\");\n");
        var (result, output, error) = await workspace.RunAsync("missing.csx");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", output);
        Assert.Contains($"{path}:2:4: error KPLAB0002: cannot get NuGet package KpLab.NoSuchPackage.Anywhere 1.0.0: NU1101:", error);
        Assert.Contains(" 2 | #r \"nuget: KpLab.NoSuchPackage.Anywhere, 1.0.0\"\n   |    ^", error.ReplaceLineEndings("\n"));
        var record = ScriptWorkspace.Record(result);
        Assert.Equal("compile-error", record.GetProperty("status").GetString());
        Assert.Contains("NU1101", record.GetProperty("diagnostics")[0].GetString());
    }

    [Fact]
    public async Task AReferenceWithoutAVersionIsALocatedErrorShowingTheForm()
    {
        var path = workspace.Write("unpinned.csx", "#r \"nuget: Humanizer.Core\"\nLab.Log(\"x\");\n");
        var (result, _, error) = await workspace.RunAsync("unpinned.csx");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}:1:4: error KPLAB0001: #r \"nuget: Humanizer.Core\": give the version too, e.g. #r \"nuget: Humanizer.Core, 1.2.3\".", error);
    }

    [Theory]
    [InlineData("nuget: Humanizer.Core, 2.14.1", "Humanizer.Core", "2.14.1", "[2.14.1]")]
    [InlineData("nuget:Humanizer.Core,2.14.1", "Humanizer.Core", "2.14.1", "[2.14.1]")]
    [InlineData("NuGet: Some.Package, [1.0,2.0)", "Some.Package", "[1.0,2.0)", "[1.0,2.0)")]
    public void DirectivesParseToAPinnedVersionUnlessARangeIsWritten(string text, string name, string version, string range)
    {
        var reference = NuGetReference.Parse(text);
        Assert.Equal((name, version, range), (reference.Name, reference.Version, reference.VersionRange));
    }
}
