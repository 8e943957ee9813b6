using System.Collections.Immutable;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace KpLab.Scripting;

/// <summary>
/// The NuGet packages of a script (its <c>#r "nuget: Name, Version"</c> directives, in the script and every file it
/// <c>#load</c>s), restored before compiling: the compiler references their assemblies through
/// <see cref="NuGetMetadataResolver"/>, the script's load context loads them, and the run record lists them.
/// </summary>
public sealed class ScriptPackages
{
    private readonly Dictionary<NuGetReference, RestoredNuGetPackage> _restored;

    private ScriptPackages(Dictionary<NuGetReference, RestoredNuGetPackage> restored, IReadOnlyList<ScriptDiagnostic> errors)
    {
        _restored = restored;
        Errors = errors;
        Packages = restored.Values.SelectMany(r => r.Packages).DistinctBy(p => (p.Name.ToLowerInvariant(), p.Version)).ToArray();
    }

    /// <summary>No packages.</summary>
    public static ScriptPackages None { get; } = new([], []);

    /// <summary>Every package restored (those asked for and their dependencies), each once.</summary>
    public IReadOnlyList<NuGetPackageUse> Packages { get; }

    /// <summary>The directives that could not be satisfied, located at the directive.</summary>
    public IReadOnlyList<ScriptDiagnostic> Errors { get; }

    /// <summary>
    /// Restores the packages the files of <paramref name="source"/> reference (cached ones without a restore). The
    /// NuGet.Config nearest the script (its folder or a parent) chooses the sources; without one, the user's.
    /// </summary>
    public static ScriptPackages Restore(ScriptSource source, NuGetPackageCache cache, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(cache);
        var restored = new Dictionary<NuGetReference, RestoredNuGetPackage>();
        var errors = new List<ScriptDiagnostic>();
        var config = NearestNuGetConfig(Path.GetDirectoryName(source.Path)!);
        foreach (var (directive, location) in source.Files.SelectMany(f => Directives(f.Path)))
        {
            NuGetReference reference;
            try
            {
                reference = NuGetReference.Parse(directive);
            }
            catch (FormatException e)
            {
                errors.Add(Located(location, "KPLAB0001", e.Message));
                continue;
            }
            if (restored.ContainsKey(reference)) continue;
            try
            {
                restored[reference] = cache.Restore(reference, config, progress);
            }
            catch (NuGetRestoreException e)
            {
                errors.Add(Located(location, "KPLAB0002", $"cannot get NuGet package {reference.Name} {reference.Version}: {e.Message}"));
            }
        }
        return new ScriptPackages(restored, errors);
    }

    /// <summary>The restored assemblies of a <c>#r</c> directive's text, or null when it names no restored package.</summary>
    internal IReadOnlyList<string>? AssembliesOf(string reference)
    {
        if (!NuGetReference.IsPackageReference(reference)) return null;
        try
        {
            return _restored.TryGetValue(NuGetReference.Parse(reference), out var package) ? package.Assemblies : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Lets <paramref name="context"/> (the script's) load the package assemblies the script asks for.</summary>
    internal void AttachTo(AssemblyLoadContext context)
    {
        if (_restored.Count == 0) return;
        var byName = _restored.Values.SelectMany(r => r.Assemblies)
            .GroupBy(a => Path.GetFileNameWithoutExtension(a), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        context.Resolving += (ctx, name) =>
            name.Name is { } simple && byName.TryGetValue(simple, out var path) ? ctx.LoadFromAssemblyPath(path) : null;
    }

    private static IEnumerable<(string Reference, Location Location)> Directives(string file)
    {
        if (!File.Exists(file)) yield break;
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), ScriptCompiler.ParseOptions, file);
        foreach (var directive in ((CompilationUnitSyntax)tree.GetRoot()).GetReferenceDirectives())
            if (NuGetReference.IsPackageReference(directive.File.ValueText))
                yield return (directive.File.ValueText, directive.File.GetLocation());
    }

    private static ScriptDiagnostic Located(Location location, string id, string message)
    {
        var span = location.GetLineSpan();
        return new ScriptDiagnostic(span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, "error", id, message);
    }

    /// <summary>The NuGet.Config in <paramref name="folder"/> or its nearest parent that has one, or null.</summary>
    internal static string? NearestNuGetConfig(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (!dir.Exists) continue;
            // NuGet accepts these spellings; on a case-sensitive file system each is a different file.
            foreach (var name in new[] { "nuget.config", "NuGet.config", "NuGet.Config" })
            {
                var candidate = Path.Combine(dir.FullName, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}

/// <summary>
/// Resolves a script's <c>#r</c> directives for the compiler: <c>nuget:</c> ones to the assemblies
/// <see cref="ScriptPackages"/> restored, every other one (file paths) as Roslyn's default resolver does.
/// </summary>
internal sealed class NuGetMetadataResolver(ScriptPackages packages, MetadataReferenceResolver files) : MetadataReferenceResolver
{
    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        if (!NuGetReference.IsPackageReference(reference)) return files.ResolveReference(reference, baseFilePath, properties);
        // An unrestored package resolves to nothing: the compiler then reports the directive's location.
        return packages.AssembliesOf(reference) is { } assemblies
            ? [.. assemblies.Select(a => MetadataReference.CreateFromFile(a, properties))]
            : [];
    }

    public override bool ResolveMissingAssemblies => files.ResolveMissingAssemblies;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        files.ResolveMissingAssembly(definition, referenceIdentity);

    public override bool Equals(object? other) => other is NuGetMetadataResolver r && ReferenceEquals(r.Packages, packages);

    public override int GetHashCode() => packages.GetHashCode();

    private ScriptPackages Packages => packages;
}
