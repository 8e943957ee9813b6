using System.Text.Json.Nodes;

namespace KpLab.Hosting.Tests;

/// <summary>Edits a plugin's .deps.json the way a different build would have written it.</summary>
internal static class DepsJson
{
    /// <summary>Lists <paramref name="fileName"/> as a <paramref name="assetKind"/> ("runtime" or "native") asset of the plugin's own library entry.</summary>
    public static void AddAsset(string depsJson, string pluginProject, string assetKind, string fileName)
    {
        var deps = JsonNode.Parse(File.ReadAllText(depsJson))!;
        var target = deps["targets"]!.AsObject().Single().Value!.AsObject();
        var plugin = target.Single(library => library.Key.StartsWith(pluginProject + "/", StringComparison.Ordinal)).Value!.AsObject();
        var assets = plugin[assetKind] as JsonObject ?? [];
        assets[fileName] = new JsonObject();
        plugin[assetKind] = assets;
        File.WriteAllText(depsJson, deps.ToJsonString());
    }
}
