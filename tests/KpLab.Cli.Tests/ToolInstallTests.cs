using System.Security.Cryptography;
using System.Text.Json;

namespace KpLab.Cli.Tests;

/// <summary>
/// The tool as a researcher gets it: `dotnet pack` (what scripts/pack does for the tool) into a feed,
/// `dotnet tool install --tool-path` from it, `kplab new experiment` in one folder and `kplab run` from another. The
/// package is made from what this test project's build built (the command and every plugin), so it is this checkout.
/// </summary>
public sealed class ToolInstallTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public void ThePackedToolInstallsIntoAToolPathAndRunsANewExperimentFromAnotherFolder()
    {
        using var temp = new TemporaryFolder();
        var (feed, tools, projects, elsewhere) = (temp.Sub("feed"), temp.Sub("tools"), temp.Sub("projects"), temp.Sub("elsewhere"));

        var (packExit, packOutput) = RepositoryPaths.Run("dotnet", RepositoryPaths.Root, null,
            "pack", "core/KpLab.Cli/KpLab.Cli.csproj", "-c", Configuration, "--no-build", "-o", feed, "-nologo");
        Assert.True(packExit == 0, packOutput);
        var version = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")), "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(feed, $"kplab.{version}.nupkg")), string.Join(", ", Directory.GetFiles(feed)));

        // A package folder of its own: an older kplab 0.1.0 in the machine's NuGet cache must not stand in for this one.
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = temp.Sub("nuget-packages") };
        var (installExit, installOutput) = RepositoryPaths.Run("dotnet", temp.Path, isolated,
            "tool", "install", "--tool-path", tools, "kplab", "--add-source", feed, "--version", version);
        Assert.True(installExit == 0, installOutput);
        var kplab = Path.Combine(tools, OperatingSystem.IsWindows() ? "kplab.exe" : "kplab");

        var (newExit, newOutput) = RepositoryPaths.Run(kplab, projects, null, "new", "experiment", "first-sweep");
        Assert.True(newExit == 0, newOutput);
        var script = Path.Combine(projects, "first-sweep", "first-sweep.csx");
        Assert.True(File.Exists(script), newOutput);

        var (runExit, runOutput) = RepositoryPaths.Run(kplab, elsewhere, null, "run", script);
        Assert.True(runExit == 0, runOutput);

        // The run record: bundled plugins from the tool's own plugins folder, the data set it ships, success.
        var run = Directory.GetDirectories(Path.Combine(elsewhere, "runs", "first-sweep")).Single();
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        var root = record.RootElement;
        Assert.Equal("succeeded", root.GetProperty("status").GetString());
        var store = Path.Combine(tools, ".store", "kplab");
        var plugins = root.GetProperty("plugins").EnumerateArray().ToArray();
        Assert.Equal(
            ["clusterer agglomerative", "clusterer kmeans", "embedder tfidf", "embedder use-lite", "metric ari", "metric nmi", "metric silhouette"],
            plugins.Select(p => $"{p.GetProperty("kind").GetString()} {p.GetProperty("name").GetString()}").Distinct().Order(StringComparer.Ordinal));
        foreach (var p in plugins)
        {
            Assert.Equal("bundled", p.GetProperty("origin").GetString());
            Assert.StartsWith(store, p.GetProperty("assembly").GetString());
            Assert.Contains($"{Path.DirectorySeparatorChar}plugins{Path.DirectorySeparatorChar}KpLab.Plugins.", p.GetProperty("assembly").GetString());
        }
        var dataset = root.GetProperty("datasets")[0];
        Assert.Equal("semeval2013-sra", dataset.GetProperty("name").GetString());
        Assert.StartsWith(store, dataset.GetProperty("path").GetString());
        Assert.Equal(Sha256(Path.Combine(RepositoryPaths.Root, "experiments", "data", "semeval2013-sra", "answers.csv")),
            dataset.GetProperty("sha256").GetString());

        // The sweep table: every embedder x clusterer, with scores in their ranges.
        var lines = File.ReadAllLines(Path.Combine(run, "sweep.csv"));
        Assert.Equal(5, lines.Length);
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["tfidf/kmeans", "tfidf/agglomerative", "use-lite/kmeans", "use-lite/agglomerative"], cells.Select(c => $"{c[0]}/{c[1]}"));
        foreach (var c in cells)
        {
            Assert.Equal("4", c[2]);   // the largest question has four expert labels
            foreach (var score in c[3..]) Assert.InRange(double.Parse(score, System.Globalization.CultureInfo.InvariantCulture), -1.0, 1.0);
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
