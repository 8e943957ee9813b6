#:property AllowUnsafeBlocks=true
// Copies manifest resources out of a .NET assembly without loading it (no code of the assembly runs):
// System.Reflection.Metadata reads the ManifestResource table and the CLI resources blob.
// Usage: dotnet run scripts/models/extract-resources.cs -- <assembly.dll> <resource-name>=<output-file> ...
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: extract-resources <assembly.dll> <resource>=<file> ...");
    return 2;
}

using var stream = File.OpenRead(args[0]);
using var pe = new PEReader(stream);
var metadata = pe.GetMetadataReader();
var resources = pe.PEHeaders.CorHeader?.ResourcesDirectory
    ?? throw new InvalidDataException($"{args[0]}: not a .NET assembly");
var blob = pe.GetSectionData(resources.RelativeVirtualAddress);
var embedded = new Dictionary<string, long>(StringComparer.Ordinal);
foreach (var handle in metadata.ManifestResources)
{
    var resource = metadata.GetManifestResource(handle);
    if (resource.Implementation.IsNil) embedded[metadata.GetString(resource.Name)] = resource.Offset;
}

foreach (var request in args.Skip(1))
{
    var split = request.IndexOf('=');
    if (split <= 0) { Console.Error.WriteLine($"extract-resources: '{request}' is not <resource>=<file>"); return 2; }
    var name = request[..split];
    var output = request[(split + 1)..];
    if (!embedded.TryGetValue(name, out var offset))
    {
        Console.Error.WriteLine($"extract-resources: {args[0]} has no embedded resource '{name}'; it has: {string.Join(", ", embedded.Keys)}");
        return 1;
    }

    unsafe
    {
        // Each resource is a little-endian int32 length followed by its bytes.
        var start = blob.Pointer + offset;
        var length = *(int*)start;
        if (length < 0 || offset + 4 + length > blob.Length)
            throw new InvalidDataException($"{args[0]}: resource '{name}' overruns the resources blob");
        var partial = output + ".partial";
        using (var file = File.Create(partial))
            file.Write(new ReadOnlySpan<byte>(start + 4, length));
        File.Move(partial, output, overwrite: true);
    }
}

return 0;
