using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace KpLab.Hosting;

/// <summary>
/// What a plugin file declares, read from its metadata without loading it: its name and the assemblies it was
/// compiled against. Lets the host refuse a foreign file or an incompatible contracts version before running any of
/// the plugin's code.
/// </summary>
internal sealed record PluginAssemblyManifest(AssemblyName Name, IReadOnlyList<AssemblyName> References)
{
    /// <summary>Reads the manifest of <paramref name="path"/>, or explains why it is not a .NET assembly.</summary>
    public static PluginAssemblyManifest Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new BadImageFormatException("it is not a .NET assembly (no metadata).", path);
        var metadata = pe.GetMetadataReader();
        if (!metadata.IsAssembly) throw new BadImageFormatException("it is a .NET module without an assembly manifest.", path);
        var references = metadata.AssemblyReferences
            .Select(handle => metadata.GetAssemblyReference(handle).GetAssemblyName())
            .ToArray();
        return new PluginAssemblyManifest(metadata.GetAssemblyDefinition().GetAssemblyName(), references);
    }

    /// <summary>
    /// Why this assembly cannot run against the host's shared assemblies, or null when it can: it must reference
    /// KpLab.Abstractions, and every shared assembly it references must have the host's major version and a minor
    /// version not newer than the host's. A plugin built against an older minor runs (contracts only grow within a
    /// major); one built against a newer minor may call API this host lacks and would fail mid-run with
    /// <see cref="MissingMethodException"/>, so it is refused before any of its code is loaded.
    /// </summary>
    /// <param name="shared">The names (with versions) of the host's shared assemblies; the first is the contracts.</param>
    public string? ContractsProblem(IReadOnlyList<AssemblyName> shared)
    {
        var abstractionsName = shared[0].Name;
        if (!References.Any(r => string.Equals(r.Name, abstractionsName, StringComparison.OrdinalIgnoreCase)))
            return $"it does not reference {abstractionsName}, so it contains no KpLab plugins.";
        foreach (var reference in References)
        {
            var host = shared.FirstOrDefault(a => string.Equals(a.Name, reference.Name, StringComparison.OrdinalIgnoreCase));
            if (host is null) continue;
            var wanted = reference.Version ?? new Version(0, 0);
            var have = host.Version ?? new Version(0, 0);
            if (wanted.Major == have.Major && wanted.Minor <= have.Minor) continue;
            var rule = wanted.Major != have.Major
                ? "the contracts' major version must match"
                : "a plugin may use contracts of this host's minor version or older, not newer";
            return $"it was built against {reference.Name} {wanted.Major}.{wanted.Minor} ({wanted}), but this host has " +
                $"{reference.Name} {have.Major}.{have.Minor} ({have}); {rule}. " +
                $"Rebuild the plugin against KpLab contracts {have.Major}.{have.Minor}, or use a host with contracts {wanted.Major}.{wanted.Minor} or newer.";
        }
        return null;
    }
}
