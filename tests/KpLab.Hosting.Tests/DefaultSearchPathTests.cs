using static KpLab.Hosting.Tests.TestPluginFolders;

namespace KpLab.Hosting.Tests;

public sealed class DefaultSearchPathTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Bundled_folder_is_beside_the_host_when_it_has_one()
    {
        using var scratch = new ScratchFolder();
        var plugins = Directory.CreateDirectory(Path.Combine(scratch.Path, "plugins")).FullName;

        Assert.Equal(plugins, PluginCatalog.DefaultSearchPath(null, Environment(), scratch.Path).Bundled);
    }

    [Fact]
    public void Bundled_folder_is_the_repositorys_artifacts_plugins_otherwise()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(Path.Combine(scratch.Path, "KpLab.sln"), "");
        var host = Directory.CreateDirectory(Path.Combine(scratch.Path, "artifacts", "bin", "KpLab.Cli")).FullName;

        Assert.Equal(Path.Combine(scratch.Path, "artifacts", "plugins"), PluginCatalog.DefaultSearchPath(null, Environment(), host).Bundled);
    }

    [Fact]
    public void No_bundled_folder_outside_a_repository()
    {
        using var scratch = new ScratchFolder();

        Assert.Null(PluginCatalog.DefaultSearchPath(null, Environment(), scratch.Path).Bundled);
    }

    [Fact]
    public void Bundled_variable_overrides_the_bundled_folder()
    {
        using var scratch = new ScratchFolder();
        Directory.CreateDirectory(Path.Combine(scratch.Path, "plugins"));
        var env = Environment((PluginCatalog.BundledPluginsVariable, "/opt/kplab/plugins/"));

        Assert.Equal("/opt/kplab/plugins", PluginCatalog.DefaultSearchPath(null, env, scratch.Path).Bundled);
    }

    [Fact]
    public void External_folders_are_the_extra_ones_then_the_plugin_path_variable_without_duplicates()
    {
        var separator = Path.PathSeparator;
        var env = Environment((PluginCatalog.PluginPathVariable, $"/p/a{separator}{separator} /p/b {separator}/p/a/{separator}/bundled"),
            (PluginCatalog.BundledPluginsVariable, "/bundled"));

        var path = PluginCatalog.DefaultSearchPath(["/p/c", "", "/p/b"], env, "/");

        Assert.Equal("/bundled", path.Bundled);
        Assert.Equal(["/p/c", "/p/b", "/p/a"], path.External);
    }

    [Fact]
    public void The_test_host_finds_the_repositorys_plugins_folder()
    {
        if (System.Environment.GetEnvironmentVariable(PluginCatalog.BundledPluginsVariable) is { Length: > 0 }) return;

        Assert.Equal(Path.Combine(RepoRoot, "artifacts", "plugins"), PluginCatalog.DefaultSearchPath().Bundled);
        using var catalog = PluginCatalog.LoadDefault([Folder(Basic)]);
        Assert.Equal(Path.Combine(RepoRoot, "artifacts", "plugins"), catalog.SearchPath.Bundled);
        Assert.Contains(catalog.Plugins, p => p.Name == "test-modulo" && p.Origin == PluginOrigin.External);
    }
}
