using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>
/// KpLab's on-disk embedding cache, content-addressed by embedder identity and text.
/// </summary>
/// <remarks>
/// Layout: <c>&lt;root&gt;/&lt;sha256(identity)&gt;/</c> holds <c>identity.txt</c> and "pack" files. Every call that
/// had to embed texts writes one pack with those texts' vectors, named by the hash of its ordered text hashes, so a
/// pack is content-addressed and written once. A pack is: magic <c>KPLABEMB</c>, format version, dimension and row
/// count (uint32, little-endian), then one SHA-256 per text, then the float32 rows, then a SHA-256 of everything
/// before it. Packs are written atomically and verified in full when read; a pack that fails any check is reported,
/// deleted and its texts recomputed. When an identity has more than <see cref="CompactAbove"/> packs they are merged
/// into one, so lookups stay a few file reads however many scripts added texts. Embedders whose dimension depends
/// on the corpus (<see cref="IEmbedder.Dimension"/> 0, e.g. TF-IDF) cannot reuse vectors per text; for them a pack is
/// keyed by the whole ordered text list and used only for that exact list.
/// <para>
/// Many processes, on many machines sharing one filesystem (a cluster's array tasks), may use one cache at once. Every
/// file is written once under its content address and published atomically without replacing anything
/// (<see cref="AtomicFile.WriteOnce"/>), so readers never see a partial file and racing writers of one entry leave one
/// whole copy. Compaction deletes only the packs it merged (never one another process wrote since), after the merged
/// pack is on disk, so no vector is lost; a reader that finds a pack gone looks again for the pack that replaced it, and
/// a lookup that misses looks for packs other processes added since. A pack that fails its checks is moved aside before
/// it is checked again and deleted, so a good copy that another writer put in its place meanwhile is kept.
/// One instance is safe for concurrent use by several threads.
/// </para>
/// </remarks>
public sealed class EmbeddingCache
{
    /// <summary>Packs per identity above which they are merged into one.</summary>
    public const int CompactAbove = 16;

    private const string PackExtension = ".kpv";
    private static readonly byte[] Magic = "KPLABEMB"u8.ToArray();
    private const int FormatVersion = 1;
    private const int HeaderBytes = 8 + 4 * 4;
    private const int HashBytes = 32;

    private readonly Dictionary<string, IdentityIndex> _indexes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Action<string> _warn;

    /// <summary>Creates a cache rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The cache folder, e.g. <c>~/.cache/kplab/embeddings</c>.</param>
    /// <param name="warn">Receives warnings (corrupt entries, failed writes).</param>
    public EmbeddingCache(string root, Action<string>? warn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _warn = warn ?? (_ => { });
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>The default folder: <c>embeddings</c> under <see cref="PluginContext.DefaultCacheDirectory"/>.</summary>
    public static string DefaultRoot() => Path.Combine(PluginContext.DefaultCacheDirectory(), "embeddings");

    /// <summary>SHA-256 of a text's UTF-8 bytes; null counts as the empty text (embedders treat both as "no content").</summary>
    public static TextHash HashText(string? text) => TextHash.Of(SHA256.HashData(Encoding.UTF8.GetBytes(text ?? "")));

    /// <summary>Wraps <paramref name="embedder"/> so that only texts missing from this cache reach it.</summary>
    public CachingEmbedder Wrap(IEmbedder embedder) => new(embedder, this);

    /// <summary>Looks up <paramref name="hashes"/>; returns the dimension and fills found rows, or leaves them null.</summary>
    internal int Lookup(string identity, IReadOnlyList<TextHash> hashes, float[]?[] found)
    {
        lock (_lock)
        {
            var index = Index(identity);
            if (Fill(index, hashes, found) > 0) { Refresh(identity, index); Fill(index, hashes, found); }
            return index.Dimension;
        }
    }

    /// <summary>Fills the rows <paramref name="index"/> holds; returns how many are still missing.</summary>
    private static int Fill(IdentityIndex index, IReadOnlyList<TextHash> hashes, float[]?[] found)
    {
        int missing = 0;
        for (int i = 0; i < hashes.Count; i++)
            if ((found[i] = index.Rows.GetValueOrDefault(hashes[i])) is null) missing++;
        return missing;
    }

    /// <summary>The vectors of exactly this ordered text list for a corpus-dependent embedder, or null.</summary>
    internal EmbeddingMatrix? LookupBatch(string identity, IReadOnlyList<TextHash> hashes)
    {
        var path = Path.Combine(IdentityFolder(identity), "batch-" + ListHash(hashes) + PackExtension);
        Pack? pack;
        lock (_lock) pack = ReadPack(path);
        if (pack is null) return null;
        if (pack.Hashes.Length != hashes.Count || !pack.Hashes.AsSpan().SequenceEqual(hashes.ToArray()))
        {
            lock (_lock) Corrupt(path, "its texts do not match its name");
            return null;
        }
        return EmbeddingMatrix.FromValues(pack.Hashes.Length, pack.Dimension, pack.Values);
    }

    /// <summary>Stores the rows of <paramref name="vectors"/> under <paramref name="hashes"/> (one pack).</summary>
    internal void Store(string identity, IReadOnlyList<TextHash> hashes, EmbeddingMatrix vectors)
    {
        if (hashes.Count == 0) return;
        lock (_lock)
        {
            var folder = IdentityFolder(identity);
            var name = "pack-" + ListHash(hashes) + PackExtension;
            if (!TryWrite(folder, identity, name, hashes, vectors)) return;
            var index = Index(identity);
            index.Dimension = vectors.Columns;
            for (int i = 0; i < hashes.Count; i++) index.Rows.TryAdd(hashes[i], vectors.Row(i).ToArray());
            index.Loaded.Add(name);
            if (index.Loaded.Count > CompactAbove) Compact(identity, index);
        }
    }

    /// <summary>Stores a whole batch for a corpus-dependent embedder.</summary>
    internal void StoreBatch(string identity, IReadOnlyList<TextHash> hashes, EmbeddingMatrix vectors)
    {
        lock (_lock) TryWrite(IdentityFolder(identity), identity, "batch-" + ListHash(hashes) + PackExtension, hashes, vectors);
    }

    /// <summary>What the cache holds: one entry per embedder identity.</summary>
    public IReadOnlyList<EmbeddingCacheEntry> Describe()
    {
        if (!Directory.Exists(Root)) return [];
        var entries = new List<EmbeddingCacheEntry>();
        foreach (var folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            var identityFile = Path.Combine(folder, "identity.txt");
            var identity = File.Exists(identityFile) ? File.ReadAllText(identityFile) : "(unknown)";
            var packs = Directory.GetFiles(folder, "*" + PackExtension);
            long bytes = 0, vectors = 0;
            int dimension = 0;
            foreach (var pack in packs)
            {
                var file = new FileInfo(pack);
                if (!file.Exists) continue; // merged away by another process's compaction since the listing
                bytes += file.Length;
                var header = ReadHeader(pack);
                if (header is { } h) { vectors += h.Count; dimension = h.Dimension; }
            }
            entries.Add(new EmbeddingCacheEntry(identity, Path.GetFileName(folder), packs.Length, vectors, dimension, bytes));
        }
        return entries;
    }

    /// <summary>Deletes every cached embedding.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _indexes.Clear();
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
    }

    private string IdentityFolder(string identity) =>
        Path.Combine(Root, ContentHash.OfText(identity));

    private static string ListHash(IReadOnlyList<TextHash> hashes) =>
        ContentHash.OfBytes(MemoryMarshal.AsBytes(hashes.ToArray().AsSpan()));

    private IdentityIndex Index(string identity)
    {
        if (_indexes.TryGetValue(identity, out var index)) return index;
        index = new IdentityIndex();
        Refresh(identity, index);
        _indexes[identity] = index;
        return index;
    }

    /// <summary>Reads the packs of <paramref name="identity"/> that <paramref name="index"/> has not read yet.</summary>
    /// <remarks>
    /// A pack listed but gone when read was merged by another process's compaction: the merged pack may have appeared
    /// after the listing, so the folder is listed again (a few times at most: compactions are rare).
    /// </remarks>
    private void Refresh(string identity, IdentityIndex index)
    {
        var folder = IdentityFolder(identity);
        for (int attempt = 0; attempt < 4; attempt++)
        {
            string[] paths;
            try { paths = Directory.GetFiles(folder, "pack-*" + PackExtension); }
            catch (DirectoryNotFoundException) { return; }
            bool vanished = false;
            foreach (var path in paths.Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (index.Loaded.Contains(name)) continue;
                var pack = ReadPack(path);
                if (pack is null)
                {
                    vanished |= !File.Exists(path);
                    continue;
                }
                if (index.Dimension != 0 && pack.Dimension != index.Dimension)
                {
                    Corrupt(path, $"its dimension {pack.Dimension} differs from the other packs' {index.Dimension}");
                    continue;
                }
                index.Dimension = pack.Dimension;
                index.Loaded.Add(name);
                for (int i = 0; i < pack.Hashes.Length; i++)
                    index.Rows.TryAdd(pack.Hashes[i], pack.Values.AsSpan(i * pack.Dimension, pack.Dimension).ToArray());
            }
            if (!vanished) return;
        }
    }

    private void Compact(string identity, IdentityIndex index)
    {
        var folder = IdentityFolder(identity);
        var hashes = index.Rows.Keys.OrderBy(h => h).ToArray();
        var merged = EmbeddingMatrix.Create(hashes.Length, index.Dimension, span =>
        {
            for (int i = 0; i < hashes.Length; i++)
                index.Rows[hashes[i]].CopyTo(span.Slice(i * index.Dimension, index.Dimension));
        });
        var name = "pack-" + ListHash(hashes) + PackExtension;
        if (!TryWrite(folder, identity, name, hashes, merged)) return;
        // Only the packs merged above: a pack another process wrote meanwhile is not in this index and stays.
        foreach (var mergedPack in index.Loaded)
            if (mergedPack != name) TryDelete(Path.Combine(folder, mergedPack));
        index.Loaded.Clear();
        index.Loaded.Add(name);
    }

    private bool TryWrite(string folder, string identity, string name, IReadOnlyList<TextHash> hashes, EmbeddingMatrix vectors)
    {
        try
        {
            Directory.CreateDirectory(folder);
            AtomicFile.WriteOnce(Path.Combine(folder, "identity.txt"), System.Text.Encoding.UTF8.GetBytes(identity));
            // Content-addressed: if the file is there, another writer stored these texts already.
            AtomicFile.WriteOnce(Path.Combine(folder, name), EncodePack(hashes, vectors));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn($"embedding cache: could not write {Path.Combine(folder, name)}: {e.Message}");
            return false;
        }
    }

    internal static byte[] EncodePack(IReadOnlyList<TextHash> hashes, EmbeddingMatrix vectors)
    {
        if (vectors.Rows != hashes.Count)
            throw new ArgumentException($"{vectors.Rows} vectors for {hashes.Count} texts.", nameof(vectors));
        int valueBytes = checked(vectors.Rows * vectors.Columns * sizeof(float));
        var bytes = new byte[checked(HeaderBytes + hashes.Count * HashBytes + valueBytes + HashBytes)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], vectors.Columns);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], hashes.Count);
        int offset = HeaderBytes;
        foreach (var hash in hashes) { hash.CopyTo(span.Slice(offset, HashBytes)); offset += HashBytes; }
        var values = span.Slice(offset, valueBytes);
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(vectors.Values).CopyTo(values);
        else
            for (int i = 0; i < vectors.Values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(values[(i * 4)..], vectors.Values[i]);
        offset += valueBytes;
        SHA256.HashData(span[..offset], span[offset..]);
        return bytes;
    }

    private Pack? ReadPack(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (IOException e) { _warn($"embedding cache: could not read {path}: {e.Message}"); return null; }

        var problem = Check(bytes, out int dimension, out int count);
        if (problem is not null) { Corrupt(path, problem); return null; }
        var hashes = new TextHash[count];
        for (int i = 0; i < count; i++) hashes[i] = TextHash.Of(bytes.AsSpan(HeaderBytes + i * HashBytes, HashBytes));
        var values = new float[count * dimension];
        var source = bytes.AsSpan(HeaderBytes + count * HashBytes, values.Length * sizeof(float));
        if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
        return new Pack(dimension, hashes, values);
    }

    private static string? Check(ReadOnlySpan<byte> bytes, out int dimension, out int count)
    {
        dimension = count = 0;
        if (bytes.Length < HeaderBytes + HashBytes) return $"it is truncated ({bytes.Length} bytes)";
        if (!bytes[..8].SequenceEqual(Magic)) return "it is not an embedding pack";
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (version != FormatVersion) return $"its format version is {version}, expected {FormatVersion}";
        dimension = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        count = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (dimension < 0 || count < 0) return "its header is invalid";
        long expected = HeaderBytes + (long)count * HashBytes + (long)count * dimension * sizeof(float) + HashBytes;
        if (bytes.Length != expected) return $"it has {bytes.Length} bytes, its header implies {expected}";
        Span<byte> checksum = stackalloc byte[HashBytes];
        SHA256.HashData(bytes[..^HashBytes], checksum);
        return checksum.SequenceEqual(bytes[^HashBytes..]) ? null : "its checksum does not match";
    }

    private static (int Dimension, int Count)? ReadHeader(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> header = stackalloc byte[HeaderBytes];
            if (stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes) return null;
            if (!header[..8].SequenceEqual(Magic)) return null;
            return (BinaryPrimitives.ReadInt32LittleEndian(header[12..]), BinaryPrimitives.ReadInt32LittleEndian(header[16..]));
        }
        catch (IOException) { return null; }
    }

    private void Corrupt(string path, string problem)
    {
        _warn($"embedding cache: {path} is corrupt ({problem}); it is deleted and its texts will be embedded again.");
        Quarantine(path);
    }

    /// <summary>
    /// Removes a corrupt file without ever removing a good one: the file is first moved aside (atomically, so only
    /// one remover gets it), then checked again; if another writer had already put a good copy at the path, the moved
    /// file is that copy and goes back.
    /// </summary>
    private static void Quarantine(string path)
    {
        var aside = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.corrupt");
        try { File.Move(path, aside); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        bool good;
        try { good = Check(File.ReadAllBytes(aside), out _, out _) is null; }
        catch (IOException) { good = false; }
        if (good)
        {
            try
            {
                File.Move(aside, path, overwrite: false);
                return;
            }
            catch (IOException) { }
        }
        TryDelete(aside);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed record Pack(int Dimension, TextHash[] Hashes, float[] Values);

    private sealed class IdentityIndex
    {
        public int Dimension;
        /// <summary>The pack files whose rows are in <see cref="Rows"/> (file names).</summary>
        public readonly HashSet<string> Loaded = new(StringComparer.Ordinal);
        public readonly Dictionary<TextHash, float[]> Rows = [];
    }
}

/// <summary>One embedder identity's share of the cache.</summary>
/// <param name="Identity">The embedder's <see cref="IEmbedder.Identity"/>.</param>
/// <param name="Folder">Its folder name (SHA-256 of the identity).</param>
/// <param name="Packs">Pack files.</param>
/// <param name="Vectors">Vectors stored (batch packs of corpus-dependent embedders included).</param>
/// <param name="Dimension">Vector length.</param>
/// <param name="Bytes">Bytes on disk.</param>
public sealed record EmbeddingCacheEntry(string Identity, string Folder, int Packs, long Vectors, int Dimension, long Bytes);

/// <summary>A SHA-256 of a text, as a value usable as a dictionary key.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TextHash(ulong A, ulong B, ulong C, ulong D) : IComparable<TextHash>
{
    /// <summary>The hash from its 32 bytes.</summary>
    public static TextHash Of(ReadOnlySpan<byte> bytes) => MemoryMarshal.Read<TextHash>(bytes[..32]);

    /// <summary>Writes the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => MemoryMarshal.Write(destination, in this);

    /// <inheritdoc />
    public int CompareTo(TextHash other)
    {
        int c = A.CompareTo(other.A);
        if (c == 0) c = B.CompareTo(other.B);
        if (c == 0) c = C.CompareTo(other.C);
        return c != 0 ? c : D.CompareTo(other.D);
    }
}
