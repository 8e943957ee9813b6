namespace KpLab.Hosting.Tests;

/// <summary>Where the test plugin fixtures are built (artifacts/test-plugins/&lt;project&gt;/), and scratch folders.</summary>
internal static class TestPluginFolders
{
    public const string Basic = "KpLab.TestPlugins.Basic";
    public const string Faulty = "KpLab.TestPlugins.Faulty";
    public const string SharedV1 = "KpLab.TestPlugins.SharedV1";
    public const string SharedV2 = "KpLab.TestPlugins.SharedV2";
    public const string FutureContracts = "KpLab.TestPlugins.FutureContracts";
    public const string Hostile = "KpLab.TestPlugins.Hostile";
    public const string ExitingModule = "KpLab.TestPlugins.ExitingModule";
    public const string ThrowingModule = "KpLab.TestPlugins.ThrowingModule";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Root => Path.Combine(RepoRoot, "artifacts", "test-plugins");

    /// <summary>The build folder of one test plugin project.</summary>
    public static string Folder(string project)
    {
        var folder = Path.Combine(Root, project);
        if (!File.Exists(Path.Combine(folder, project + ".dll")))
            throw new InvalidOperationException($"Test plugin {project} is not built in {folder}; build tests/KpLab.Hosting.Tests.");
        return folder;
    }

    /// <summary>The plugin assembly of one test plugin project.</summary>
    public static string Assembly(string project) => Path.Combine(Folder(project), project + ".dll");

    /// <summary>A search path of the given test plugins only, as external folders.</summary>
    public static PluginSearchPath Only(params string[] projects) => new(null, projects.Select(Folder).ToArray());

    /// <summary>Copies a test plugin's folder to <paramref name="destination"/>/&lt;project&gt;/ and returns that folder.</summary>
    public static string CopyTo(string project, string destination)
    {
        var target = Path.Combine(destination, project);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(Folder(project)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KpLab.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No KpLab.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A scratch folder deleted after the test.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("kplab-hosting-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A plugin file still mapped by an unloading context; the OS temp cleanup gets it.
        }
    }
}
