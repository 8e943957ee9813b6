using System.Security.Cryptography;
using System.Text;

namespace KpLab.Abstractions;

/// <summary>
/// The one content hash KpLab records and keys caches by: SHA-256, written as 64 lower-case hexadecimal digits. Files
/// and streams are hashed as they are read, so a large model file is never held in memory whole.
/// </summary>
public static class ContentHash
{
    /// <summary>The hash of the bytes of the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string OfFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return OfStream(stream);
    }

    /// <summary>The hash of what remains of <paramref name="stream"/>, read to its end.</summary>
    public static string OfStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The hash of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static string OfText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return OfBytes(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The hash of <paramref name="bytes"/>.</summary>
    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The hash of several files together: for each, in order, its file name (without folder) and a line feed, then its
    /// bytes. Renaming, reordering or editing any of them changes the hash.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static string OfFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var path in paths)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(path) + "\n"));
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The hash of a sequence of text fields, each UTF-8 encoded and followed by the separator byte 0x1F, so that
    /// ("ab", "c") and ("a", "bc") differ. A null field is written as "\0".
    /// </summary>
    public static string OfFields(IEnumerable<string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var field in fields)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(field ?? "\0"));
            sha.AppendData([0x1F]);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
