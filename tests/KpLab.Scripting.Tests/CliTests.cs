using System.Diagnostics;
using KpLab.Cli;

namespace KpLab.Scripting.Tests;

public sealed class CliTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    private KplabApp App(StringWriter output, StringWriter error, FakePluginSource? plugins = null) =>
        new(_ => plugins ?? new FakePluginSource())
        {
            Out = output,
            Error = error,
            ScriptCacheDirectory = workspace.ScriptCache,
            EmbeddingCacheDirectory = workspace.EmbeddingCache,
            ChildCommand = ChildCommand,
        };

    // The real kplab with this class's caches.
    private ProcessStartInfo ChildCommand(IReadOnlyList<string> args) => KplabProcess.StartInfo(args, Path.Combine(workspace.Root, "cache"));

    private async Task<(int Exit, string Out, string Error)> Invoke(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int exit = await App(o, e).InvokeAsync(args);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task PluginsListsKindNameVersionOriginAssemblyAndOptions()
    {
        var (exit, output, _) = await Invoke("plugins");
        Assert.Equal(0, exit);
        Assert.Contains("clusterers:", output);
        Assert.Contains("threshold 9.9.9 (bundled)", output);
        Assert.Contains("assembly: /plugins/threshold.dll", output);
        Assert.Matches(@"threshold\s+double\s+= 5\s+Rows with a first value", output);
        Assert.Matches(@"minClusterSize\s+int\s+= 1\s+Smallest cluster\.", output);
    }

    [Fact]
    public async Task PluginLoadErrorsAreListedAndMakeTheCommandFail()
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var source = new FakePluginSource { Errors = [new("/x/bad.dll", "built against contracts 2.0, host has 1.0")] };
        int exit = await App(o, e, source).InvokeAsync(["plugins"]);
        Assert.Equal(1, exit);
        Assert.Contains("/x/bad.dll: built against contracts 2.0", o.ToString());
    }

    [Fact]
    public async Task UsageErrorsExit2()
    {
        Assert.Equal(2, (await Invoke("run")).Exit);
        Assert.Equal(2, (await Invoke("run", "x.csx", "--seed", "notanumber")).Exit);
        Assert.Equal(2, (await Invoke("frobnicate")).Exit);
        var missing = await Invoke("run", Path.Combine(workspace.Root, "missing.csx"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("script not found", missing.Error);
    }

    [Fact]
    public async Task RunPassesArgumentsAfterTheSeparatorAndTheSeed()
    {
        var script = workspace.Write("cli/args.csx", "Lab.Log($\"{Lab.Seed}:{string.Join(',', Lab.RawArgs)}\");\n");
        var (exit, output, error) = await Invoke("run", script, "--seed", "42", "--runs", workspace.Runs, "--", "--flag", "x");
        Assert.True(exit == 0, error);
        Assert.Equal("42:--flag,x", output.Trim());
    }

    [Fact]
    public async Task CacheClearKeepsModelPackagesAndInfoDescribesTheCache()
    {
        new EmbeddingCache(workspace.EmbeddingCache).Wrap(new FakeEmbedder()).Embed(["a", "b"]);
        var packages = Path.Combine(workspace.Root, "cache", "packages");
        Directory.CreateDirectory(packages);
        var info = await Invoke("cache", "info");
        Assert.Matches(@"2 vectors x\s+3\s+1 packs .* fake-embedder/v1/dim=3", info.Out);
        Assert.Equal(0, (await Invoke("cache", "clear", "embeddings")).Exit);
        Assert.False(Directory.Exists(workspace.EmbeddingCache));
        Assert.True(Directory.Exists(packages));
    }

    [Fact]
    public void RunAllSkipsLoadedAndMarkedLibraries()
    {
        workspace.Write("suite/a.csx", "#load \"lib/shared.csx\"\nLab.Log(Shared);\n");
        workspace.Write("suite/lib/shared.csx", "static string Shared = \"shared\";\n");
        workspace.Write("suite/lib/marked.csx", "// kplab: skip-run-all\nstatic int M = 1;\n");
        workspace.Write("suite/nested/b.csx", "throw new Exception(\"b fails\");\n");
        var scripts = KplabApp.TopLevelScripts(Path.Combine(workspace.Root, "suite"));
        Assert.Equal(["a.csx", Path.Combine("nested", "b.csx")], scripts.Select(s => Path.GetRelativePath(Path.Combine(workspace.Root, "suite"), s)));
    }

    [Fact]
    public async Task RunAllRunsEachScriptInItsOwnProcessAndFailsWhenOneFails()
    {
        workspace.Write("all/ok.csx", "Lab.Log(\"ok ran\");\n");
        workspace.Write("all/fails.csx", "Lab.Log(\"about to fail\");\nthrow new Exception(\"expected failure\");\n");
        var (exit, output, error) = await Invoke("run-all", Path.Combine(workspace.Root, "all"), "--runs", workspace.Runs);
        Assert.Equal(1, exit);
        Assert.Contains("ok ran", output);
        Assert.Contains("fails.csx:2: error: Exception: expected failure", error);
        Assert.Matches(@"fails\.csx\s+failed \(1\)\s+\d+\.\d", output);
        Assert.Matches(@"ok\.csx\s+ok\s+\d+\.\d", output);
        Assert.Contains("1 of 2 scripts succeeded.", output);
    }
}
