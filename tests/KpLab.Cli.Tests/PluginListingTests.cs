namespace KpLab.Cli.Tests;

/// <summary>`kplab plugins` on the bundled plugins, run as the built command: each metric's typed output columns.</summary>
public sealed class PluginListingTests
{
    [Fact]
    public void Plugins_lists_each_metrics_output_columns_with_their_types()
    {
        var (exit, output) = RepositoryPaths.Run("dotnet", RepositoryPaths.Root, null,
            Path.Combine(RepositoryPaths.KplabBuild, "kplab.dll"), "plugins");

        Assert.True(exit == 0, output);
        var discoverability = Section(output, "discoverability");
        Assert.Equal(
            ["label string key", "size long", "cluster int?", "precision double", "recall double", "f1 double",
             "jaccardCluster int?", "jaccard double", "discovered bool", "f1NullMean double", "f1NullSd double",
             "f1PValue double", "f1Excess double", "discoveredAdjusted bool?"],
            OutputColumns(discoverability));
        var geometry = OutputColumns(Section(output, "kp-geometry"));
        Assert.Contains("qualityRank int?", geometry);
        Assert.Equal(
            ["allPairsCosine double", "correctedCosine double", "correctedZ double", "standardizedCorrectedCosine double",
             "standardizedCorrectedZ double", "correctedNullMean double", "correctedNullSd double", "correctedPValue double",
             "correctedExcess double"],
            geometry.SkipWhile(c => c != "qualityRank int?").Skip(1));
        Assert.Equal(["label string key", "cluster int key", "count long"], OutputColumns(Section(output, "contingency")));
        Assert.Equal(["cluster int key", "size int", "silhouette double"], OutputColumns(Section(output, "silhouette")));
        Assert.Empty(OutputColumns(Section(output, "ari"))); // a single number: no rows to describe
        Assert.Empty(OutputColumns(Section(output, "kmeans")));
    }

    /// <summary>The lines of one plugin's entry: from "  name version" to the next entry or kind heading.</summary>
    private static string[] Section(string output, string plugin)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        int start = Array.FindIndex(lines, l => l.StartsWith($"  {plugin} ", StringComparison.Ordinal));
        Assert.True(start >= 0, $"'{plugin}' is not listed:\n{output}");
        int end = Array.FindIndex(lines, start + 1, l => !l.StartsWith("   ", StringComparison.Ordinal));
        return lines[start..(end < 0 ? lines.Length : end)];
    }

    private static string[] OutputColumns(string[] section)
    {
        int header = Array.IndexOf(section, "    output columns:");
        if (header < 0) return [];
        return section.Skip(header + 1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
    }
}
