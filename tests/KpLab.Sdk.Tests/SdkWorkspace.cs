using System.Text.RegularExpressions;

namespace KpLab.Sdk.Tests;

/// <summary>
/// Packs the SDK once with scripts/pack into artifacts/sdk-test/feed, and prepares a folder outside the repository
/// whose nuget.config takes KpLab.* from that feed only (package source mapping) and everything else from the
/// machine's offline folder or nuget.org. Restores go to artifacts/sdk-test/packages, cleared of KpLab packages
/// first, so third-party packages are downloaded once but KpLab's always come fresh from the feed.
/// </summary>
public sealed partial class SdkWorkspace : IDisposable
{
    public SdkWorkspace()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "KpLab.sln"))) folder = folder.Parent!;
        Repo = folder.FullName;
        Version = VersionPrefix().Match(File.ReadAllText(Path.Combine(Repo, "Directory.Build.props"))).Groups[1].Value;
        var work = Path.Combine(Repo, "artifacts", "sdk-test");
        Feed = Path.Combine(work, "feed");
        Packages = Path.Combine(work, "packages");
        Directory.CreateDirectory(Packages);
        foreach (var cached in Directory.EnumerateDirectories(Packages, "kplab.*")) Directory.Delete(cached, recursive: true);
        Outside = Path.Combine(Path.GetTempPath(), $"kplab-sdk-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "nuget.config"), NugetConfig(Feed));

        PackOutput = ChildProcess.Run("bash", [Path.Combine(Repo, "scripts", "pack"), Feed], Repo, Environment, TimeSpan.FromMinutes(6));
        Dotnet(Outside, "new", "install", Path.Combine(Feed, $"KpLab.Templates.{Version}.nupkg"), "--debug:custom-hive", Hive);
    }

    /// <summary>The repository root.</summary>
    public string Repo { get; }

    /// <summary>The root VersionPrefix, which every package must carry.</summary>
    public string Version { get; }

    /// <summary>The local feed scripts/pack wrote.</summary>
    public string Feed { get; }

    /// <summary>The NuGet packages folder the generated projects restore into.</summary>
    public string Packages { get; }

    /// <summary>A temporary folder outside the solution holding the nuget.config and the generated projects.</summary>
    public string Outside { get; }

    /// <summary>What scripts/pack printed.</summary>
    public string PackOutput { get; }

    private string Hive => Path.Combine(Outside, "template-hive");

    private Dictionary<string, string> Environment => new()
    {
        ["NUGET_PACKAGES"] = Packages,
        ["KPLAB_CACHE"] = Path.Combine(Outside, "kplab-cache"),
    };

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>, returning its output.</summary>
    public string Dotnet(string directory, params string[] arguments) =>
        ChildProcess.Run("dotnet", arguments, directory, Environment, TimeSpan.FromMinutes(6));

    /// <summary>Creates a project from a KpLab template in the outside folder; returns its folder.</summary>
    public string New(string template, string name, string pluginName)
    {
        Dotnet(Outside, "new", template, "-n", name, "-o", name, "--plugin-name", pluginName, "--debug:custom-hive", Hive);
        return Path.Combine(Outside, name);
    }

    /// <summary>Runs the repository's kplab command (built into artifacts/kplab/ by the project reference).</summary>
    public string Kplab(string directory, params string[] arguments) =>
        ChildProcess.Run("dotnet", [Path.Combine(Repo, "artifacts", "kplab", "kplab.dll"), .. arguments], directory, Environment,
            TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Outside, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    /// <summary>The machine's folder of pre-fetched packages (xunit, the test SDK), used when present.</summary>
    private const string OfflinePackages = "/opt/nuget/packages";

    private static string NugetConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="kplab-local" value="{feed}" />
            {(Directory.Exists(OfflinePackages) ? $"<add key=\"offline\" value=\"{OfflinePackages}\" />" : "")}
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="kplab-local"><package pattern="KpLab.*" /></packageSource>
            {(Directory.Exists(OfflinePackages) ? "<packageSource key=\"offline\"><package pattern=\"*\" /></packageSource>" : "")}
            <packageSource key="nuget.org"><package pattern="*" /></packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    [GeneratedRegex("<VersionPrefix>([^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();
}
