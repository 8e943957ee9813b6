using System.Diagnostics;
using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>A package restored for a script: the assemblies to reference and load, and every package they came from.</summary>
/// <param name="Reference">What the script asked for.</param>
/// <param name="Assemblies">Full paths of the runtime assemblies of the package and its dependencies.</param>
/// <param name="Packages">The package and its dependencies, with the hashes of their package files.</param>
public sealed record RestoredNuGetPackage(NuGetReference Reference, IReadOnlyList<string> Assemblies, IReadOnlyList<NuGetPackageUse> Packages);

/// <summary>A package that could not be restored.</summary>
public sealed class NuGetRestoreException(string message) : Exception(message);

/// <summary>
/// Restores the packages scripts reference into KpLab's cache (<c>nuget/</c> under the cache folder), with the ordinary
/// client: <c>dotnet restore</c> of a generated project that references the package, through the configured NuGet
/// sources. What a restore resolved is kept beside the packages, so a rerun needs no restore and no network.
/// </summary>
/// <param name="directory">The cache folder (packages under <c>packages/</c>, resolutions under <c>resolved/</c>).</param>
public sealed class NuGetPackageCache(string directory)
{
    /// <summary>The target framework packages are restored for: the host's own.</summary>
    public const string TargetFramework = "net10.0";

    private const int ResolutionFormat = 1;

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The default folder: <c>nuget</c> under <see cref="PluginContext.DefaultCacheDirectory"/>.</summary>
    public static string DefaultDirectory() => Path.Combine(PluginContext.DefaultCacheDirectory(), "nuget");

    /// <summary>
    /// The package of <paramref name="reference"/> and its dependencies: from the cache when restored before (no
    /// restore), else restored now with <paramref name="configFile"/>'s sources (null: the user's NuGet configuration).
    /// </summary>
    /// <param name="reference">The package.</param>
    /// <param name="configFile">A NuGet.Config to restore with, or null.</param>
    /// <param name="progress">Told before a restore starts (it takes seconds).</param>
    /// <exception cref="NuGetRestoreException">The package cannot be had (the message carries NuGet's reason).</exception>
    public RestoredNuGetPackage Restore(NuGetReference reference, string? configFile, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var resolution = ResolutionPath(reference);
        if (ReadResolution(resolution, reference) is { } cached) return cached;

        progress?.Invoke($"restoring NuGet package {reference.Name} {reference.Version} into {Directory}");
        var work = Path.Combine(Directory, "restore", Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(work);
        try
        {
            var project = Path.Combine(work, "kplab-script-packages.csproj");
            File.WriteAllText(project, ProjectText(reference));
            var output = RunRestore(project, configFile);
            var assets = Path.Combine(work, "obj", "project.assets.json");
            if (!File.Exists(assets)) throw new NuGetRestoreException(FirstErrors(output) ?? $"dotnet restore failed:\n{output.Trim()}");
            var restored = ReadAssets(assets, reference, output);
            AtomicFile.WriteAllText(resolution, JsonSerializer.Serialize(new Resolution(ResolutionFormat, restored.Assemblies, restored.Packages), ResolutionJson));
            return restored;
        }
        finally
        {
            try { System.IO.Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a leftover temporary project costs only disk space */ }
        }
    }

    private string PackagesFolder => Path.Combine(Directory, "packages");

    private string ResolutionPath(NuGetReference reference)
    {
        var key = ContentHash.OfText($"{reference.Name.ToLowerInvariant()}\n{reference.VersionRange}\n{TargetFramework}")[..16];
        return Path.Combine(Directory, "resolved", $"{reference.Name.ToLowerInvariant()}-{key}.json");
    }

    private static RestoredNuGetPackage? ReadResolution(string path, NuGetReference reference)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var resolution = JsonSerializer.Deserialize<Resolution>(File.ReadAllText(path), ResolutionJson);
            // Any file gone (the cache was trimmed by hand) means restoring again.
            if (resolution is not { Format: ResolutionFormat } || !resolution.Assemblies.All(File.Exists)) return null;
            return new RestoredNuGetPackage(reference, resolution.Assemblies, resolution.Packages);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    private string ProjectText(NuGetReference reference) =>
        $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>{TargetFramework}</TargetFramework>
            <RestorePackagesPath>{Escape(PackagesFolder)}</RestorePackagesPath>
            <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="{Escape(reference.Name)}" Version="{Escape(reference.VersionRange)}" />
          </ItemGroup>
        </Project>
        """;

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text);

    private static string RunRestore(string project, string? configFile)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        foreach (var a in new[] { "restore", project, "--nologo", "-v", "q",
                     // The generated project stands alone: no Directory.Build/Packages.props of whatever folder holds the cache.
                     "-p:ImportDirectoryBuildProps=false", "-p:ImportDirectoryPackagesProps=false", "-p:NuGetAudit=false" })
            start.ArgumentList.Add(a);
        if (configFile is not null) { start.ArgumentList.Add("--configfile"); start.ArgumentList.Add(configFile); }
        // A host started by MSBuild (tests, dotnet run) passes its MSBuild location down; the child must find its own.
        foreach (var variable in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath" }) start.Environment.Remove(variable);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new NuGetRestoreException("could not start 'dotnet restore'.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return stdout + stderr.Result;
    }

    /// <summary>The dotnet executable: the one running this host when it is dotnet, else the one on PATH.</summary>
    internal static string DotnetHost()
    {
        var configured = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured)) return configured;
        return Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
    }

    private static string? FirstErrors(string output)
    {
        var errors = output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("error ", StringComparison.Ordinal)).Distinct().ToArray();
        return errors.Length == 0 ? null : string.Join("\n", errors.Select(CleanRestoreMessage));
    }

    // "…/kplab-script-packages.csproj : error NU1101: Unable to find …" without the temporary project's path.
    private static string CleanRestoreMessage(string line)
    {
        int at = line.IndexOf(": error ", StringComparison.Ordinal);
        var message = at >= 0 ? line[(at + ": error ".Length)..] : line;
        int project = message.LastIndexOf(" [", StringComparison.Ordinal);
        return project > 0 && message.EndsWith(']') ? message[..project] : message;
    }

    private RestoredNuGetPackage ReadAssets(string assetsPath, NuGetReference reference, string output)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(assetsPath));
        var root = document.RootElement;
        if (root.TryGetProperty("logs", out var logs))
        {
            var errors = logs.EnumerateArray()
                .Where(l => l.TryGetProperty("level", out var level) && level.GetString() == "Error")
                .Select(l => $"{l.GetProperty("code").GetString()}: {l.GetProperty("message").GetString()}")
                .ToArray();
            if (errors.Length > 0) throw new NuGetRestoreException(string.Join("\n", errors));
        }
        if (!root.TryGetProperty("targets", out var targets) || !targets.TryGetProperty(TargetFramework, out var target))
            throw new NuGetRestoreException(FirstErrors(output) ?? $"the restore resolved nothing for {TargetFramework}.");
        var folders = root.GetProperty("packageFolders").EnumerateObject().Select(p => p.Name).ToArray();
        var libraries = root.GetProperty("libraries");

        var assemblies = new List<string>();
        var packages = new List<NuGetPackageUse>();
        foreach (var entry in target.EnumerateObject())
        {
            if (!entry.Value.TryGetProperty("type", out var type) || type.GetString() != "package") continue;
            var (name, version) = (entry.Name[..entry.Name.IndexOf('/')], entry.Name[(entry.Name.IndexOf('/') + 1)..]);
            var relative = libraries.GetProperty(entry.Name).GetProperty("path").GetString()!;
            var folder = folders.Select(f => Path.Combine(f, relative)).FirstOrDefault(System.IO.Directory.Exists)
                ?? throw new NuGetRestoreException($"{name} {version} was restored but its folder {relative} is missing.");
            var nupkg = System.IO.Directory.GetFiles(folder, "*.nupkg").FirstOrDefault()
                ?? throw new NuGetRestoreException($"{name} {version}: no package file in {folder}.");
            packages.Add(new NuGetPackageUse(name, version, ContentHash.OfFile(nupkg)));
            if (!entry.Value.TryGetProperty("runtime", out var runtime)) continue;
            foreach (var asset in runtime.EnumerateObject())
                // "_._" marks a package that deliberately has nothing for this framework (the framework supplies it).
                if (asset.Name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                    assemblies.Add(Path.GetFullPath(Path.Combine(folder, asset.Name)));
        }
        if (packages.Count == 0) throw new NuGetRestoreException($"the restore of {reference} resolved no package.");
        return new RestoredNuGetPackage(reference, assemblies, packages);
    }

    private static readonly JsonSerializerOptions ResolutionJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private sealed record Resolution(int Format, IReadOnlyList<string> Assemblies, IReadOnlyList<NuGetPackageUse> Packages);
}
