using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting;

/// <summary>
/// KpLab's on-disk cache of reduced vectors: the embedding a reducer fitted on a matrix, keyed by the matrix's content,
/// the reducer's identity and bound options, the run seed and the thread count (a UMAP layout depends on both).
/// </summary>
/// <remarks>
/// Layout: <c>&lt;root&gt;/&lt;key&gt;.npy</c> holds the reduced rows (float32) and <c>&lt;key&gt;.txt</c> the
/// SHA-256 of that file followed by the fields that made the key, one per line. Both are written atomically, the
/// .npy first; an entry whose hash, shape or values do not check out is reported, deleted and recomputed.
/// </remarks>
public sealed class ReductionCache
{
    private readonly Action<string> _warn;

    /// <summary>Creates a cache rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The cache folder, e.g. <c>~/.cache/kplab/reductions</c>.</param>
    /// <param name="warn">Receives warnings (corrupt entries, failed writes).</param>
    public ReductionCache(string root, Action<string>? warn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _warn = warn ?? (_ => { });
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>The default folder: <c>reductions</c> under <see cref="PluginContext.DefaultCacheDirectory"/>.</summary>
    public static string DefaultRoot() => Path.Combine(PluginContext.DefaultCacheDirectory(), "reductions");

    /// <summary>The content hash of a matrix: its shape and float32 values (little-endian).</summary>
    public static string HashMatrix(EmbeddingMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> shape = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(shape, matrix.Rows);
        BinaryPrimitives.WriteInt32LittleEndian(shape[4..], matrix.Columns);
        sha.AppendData(shape);
        if (BitConverter.IsLittleEndian) sha.AppendData(MemoryMarshal.AsBytes(matrix.Values));
        else
            foreach (var value in matrix.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(shape, value);
                sha.AppendData(shape[..4]);
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The key of the fields that determine a reduction (matrix hash, identity, options, seed, threads).</summary>
    public static string Key(IEnumerable<string> fields) => ContentHash.OfFields(fields);

    /// <summary>The cached reduction under <paramref name="key"/> with the expected shape, or null.</summary>
    public EmbeddingMatrix? Lookup(string key, int rows, int columns)
    {
        var (data, meta) = Paths(key);
        if (!File.Exists(data) || !File.Exists(meta)) return null;
        try
        {
            var expectedHash = File.ReadLines(meta).FirstOrDefault() ?? "";
            if (ContentHash.OfFile(data) != expectedHash) return Corrupt(key, "its hash does not match");
            var matrix = NpyFile.Load(data);
            if (matrix.Rows != rows || matrix.Columns != columns)
                return Corrupt(key, $"it is {matrix.Rows} x {matrix.Columns}, expected {rows} x {columns}");
            return matrix.FirstNonFiniteRow() >= 0 ? Corrupt(key, "it holds a non-finite value") : matrix;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Corrupt(key, e.Message);
        }
    }

    /// <summary>Stores <paramref name="reduced"/> under <paramref name="key"/>, describing it by <paramref name="fields"/>.</summary>
    public void Store(string key, IEnumerable<string> fields, EmbeddingMatrix reduced)
    {
        var (data, meta) = Paths(key);
        try
        {
            Directory.CreateDirectory(Root);
            NpyFile.Save(data, reduced);
            AtomicFile.WriteAllText(meta, string.Join("\n", [ContentHash.OfFile(data), .. fields.Select(f => f.ReplaceLineEndings(" "))]) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn($"reduction cache: could not write {data}: {e.Message}");
        }
    }

    /// <summary>Deletes every cached reduction.</summary>
    public void Clear()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    private (string Data, string Meta) Paths(string key) => (Path.Combine(Root, key + ".npy"), Path.Combine(Root, key + ".txt"));

    private EmbeddingMatrix? Corrupt(string key, string why)
    {
        var (data, meta) = Paths(key);
        _warn($"reduction cache: {data} is unusable ({why}); deleting it and recomputing.");
        foreach (var path in new[] { data, meta })
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _warn($"reduction cache: could not delete {path}: {e.Message}");
            }
        }
        return null;
    }
}

/// <summary>
/// A reducer whose fitted embeddings come from a <see cref="ReductionCache"/> when the same matrix was reduced before
/// with the same reducer, options, seed and thread count. A model from the cache refits the reducer the first time it
/// is asked to transform new rows (the refit gives the same model: fits are deterministic for these keys).
/// </summary>
public sealed class CachingReducer : IReducer
{
    private readonly IReducer _inner;
    private readonly ReductionCache _cache;
    private readonly IReadOnlyList<string> _fields;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="fields"/> are what besides the matrix and identity keys it (options, seed, threads).</summary>
    public CachingReducer(IReducer inner, ReductionCache cache, IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(cache);
        _inner = inner;
        _cache = cache;
        _fields = fields ?? [];
    }

    /// <inheritdoc />
    public string Identity => _inner.Identity;

    /// <inheritdoc />
    public int OutputDimension => _inner.OutputDimension;

    /// <summary>Whether the last <see cref="Fit"/> came from the cache.</summary>
    public bool LastFitCached { get; private set; }

    /// <inheritdoc />
    public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        string[] fields = [$"matrix={ReductionCache.HashMatrix(data)}", $"identity={_inner.Identity}", .. _fields];
        var key = ReductionCache.Key(fields);
        var cached = _cache.Lookup(key, data.Rows, _inner.OutputDimension);
        LastFitCached = cached is not null;
        if (cached is not null) return new CachedModel(cached, data, _inner);
        var model = _inner.Fit(data, cancellationToken);
        _cache.Store(key, fields, model.Embedding);
        return model;
    }

    /// <summary>A model read from the cache: the embedding now, the fitted model only when new rows need it.</summary>
    private sealed class CachedModel(EmbeddingMatrix embedding, EmbeddingMatrix data, IReducer reducer) : IReducerModel
    {
        private readonly Lazy<IReducerModel> _fitted = new(() => reducer.Fit(data));

        public int InputDimension => data.Columns;

        public int OutputDimension => embedding.Columns;

        public EmbeddingMatrix Embedding => embedding;

        public EmbeddingMatrix Transform(EmbeddingMatrix rows, CancellationToken cancellationToken = default) =>
            _fitted.Value.Transform(rows, cancellationToken);
    }
}
