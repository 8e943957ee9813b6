namespace KpLab.Hosting;

/// <summary>
/// Finds plugin assemblies in a plugins folder: each immediate subfolder <c>Sub/</c> holding <c>Sub.dll</c> and
/// <c>Sub.deps.json</c> is one plugin assembly (the layout <c>dotnet build</c> gives every plugin project). A folder
/// that itself holds <c>X.dll</c> beside <c>X.deps.json</c> is taken as one plugin's folder instead.
/// </summary>
internal static class PluginFolderScanner
{
    /// <summary>The plugin assembly paths under <paramref name="folder"/>, in ordinal path order.</summary>
    /// <param name="folder">A plugins folder, or one plugin's own folder.</param>
    /// <param name="errors">Receives folders that look like plugins but cannot be loaded.</param>
    public static IReadOnlyList<string> FindAssemblies(string folder, ICollection<PluginLoadError> errors)
    {
        if (!Directory.Exists(folder))
        {
            errors.Add(new PluginLoadError(folder, "The plugins folder does not exist."));
            return [];
        }
        var direct = Directory.EnumerateFiles(folder, "*.deps.json")
            .Select(deps => deps[..^".deps.json".Length] + ".dll")
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (direct.Length > 0) return direct;

        var found = new List<string>();
        foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(sub);
            var dll = Path.Combine(sub, name + ".dll");
            if (!File.Exists(dll)) continue;
            if (File.Exists(Path.Combine(sub, name + ".deps.json"))) found.Add(dll);
            else errors.Add(new PluginLoadError(dll,
                $"{name}.deps.json is missing beside it, so its dependencies cannot be resolved; build each plugin as its own " +
                "project with EnableDynamicLoading (as plugins/Directory.Build.props does)."));
        }
        return found;
    }
}
