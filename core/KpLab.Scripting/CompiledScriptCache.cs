using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>
/// The on-disk store of compiled scripts: per cache key a <c>.dll</c>, its portable <c>.pdb</c> and a
/// <c>.sha256.json</c> manifest holding the SHA-256 of both. An entry is trusted only when both files match their
/// manifest: a patched assembly would otherwise run code the script never said (and be recorded as the script's run),
/// and a damaged PDB would replace the script's own error with a symbol reader's.
/// </summary>
internal sealed class CompiledScriptCache(string directory, Action<string> warn)
{
    private const string ManifestExtension = ".sha256.json";

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>
    /// The verified assembly and symbols cached under <paramref name="key"/>, or null when there is no complete entry
    /// or it fails its check (then it is deleted and a warning names it, so the caller compiles again).
    /// </summary>
    public (byte[] Image, byte[] Symbols)? TryRead(string key)
    {
        var (dll, pdb, manifest) = Files(key);
        // The manifest is written last: without it the entry is incomplete (a write was interrupted), not damaged.
        if (!File.Exists(manifest)) return null;
        try
        {
            var expected = JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(manifest))
                ?? throw new InvalidDataException("the manifest is empty");
            var image = File.ReadAllBytes(dll);
            var symbols = File.ReadAllBytes(pdb);
            if (!Matches(image, expected.Dll)) return Reject(key, $"{dll} does not match its recorded SHA-256");
            if (!Matches(symbols, expected.Pdb)) return Reject(key, $"{pdb} does not match its recorded SHA-256");
            return (image, symbols);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return Reject(key, $"{manifest}: {e.Message}");
        }
    }

    /// <summary>Stores an entry; a cache that cannot be written only costs a compile next time.</summary>
    public void Write(string key, byte[] image, byte[] symbols)
    {
        var (dll, pdb, manifest) = Files(key);
        try
        {
            // Drop the manifest first, so a crash between the writes leaves an incomplete entry, never a mismatched one.
            System.IO.Directory.CreateDirectory(Directory);
            File.Delete(manifest);
            AtomicFile.WriteAllBytes(pdb, symbols);
            AtomicFile.WriteAllBytes(dll, image);
            AtomicFile.WriteAllBytes(manifest, JsonSerializer.SerializeToUtf8Bytes(new Manifest(Hash(image), Hash(symbols))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* run without caching */ }
    }

    /// <summary>Warns that the entry under <paramref name="key"/> could not be loaded and removes it.</summary>
    public void Discard(string key, string reason) => Reject(key, reason);

    private (byte[], byte[])? Reject(string key, string reason)
    {
        warn($"compiled-script cache entry {Path.Combine(Directory, key)}.dll is damaged or was modified ({reason}); compiling the script again.");
        foreach (var file in new[] { Files(key).Manifest, Files(key).Dll, Files(key).Pdb })
        {
            try { File.Delete(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* overwritten by the next store */ }
        }
        return null;
    }

    private (string Dll, string Pdb, string Manifest) Files(string key)
    {
        var stem = Path.Combine(Directory, key);
        return (stem + ".dll", stem + ".pdb", stem + ManifestExtension);
    }

    private static bool Matches(byte[] bytes, string? expected) =>
        expected is not null && string.Equals(Hash(bytes), expected, StringComparison.Ordinal);

    private static string Hash(byte[] bytes) => ContentHash.OfBytes(bytes);

    private sealed record Manifest(string? Dll, string? Pdb);
}
