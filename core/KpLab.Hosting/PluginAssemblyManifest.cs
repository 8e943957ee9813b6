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
    /// KpLab.Abstractions, and every shared assembly it references must have the host's major.minor version.
    /// </summary>
    public string? ContractsProblem(IReadOnlyList<Assembly> shared)
    {
        var abstractionsName = shared[0].GetName().Name;
        if (!References.Any(r => string.Equals(r.Name, abstractionsName, StringComparison.OrdinalIgnoreCase)))
            return $"it does not reference {abstractionsName}, so it contains no KpLab plugins.";
        foreach (var reference in References)
        {
            var host = shared.FirstOrDefault(a => string.Equals(a.GetName().Name, reference.Name, StringComparison.OrdinalIgnoreCase));
            if (host is null) continue;
            var wanted = reference.Version ?? new Version(0, 0);
            var have = host.GetName().Version ?? new Version(0, 0);
            if (wanted.Major != have.Major || wanted.Minor != have.Minor)
                return $"it was built against {reference.Name} {wanted.Major}.{wanted.Minor} ({wanted}), but this host has " +
                    $"{reference.Name} {have.Major}.{have.Minor} ({have}); the contracts' major.minor must match. " +
                    $"Rebuild the plugin against KpLab contracts {have.Major}.{have.Minor}.";
        }
        return null;
    }
}
