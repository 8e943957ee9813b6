using KpLab.Abstractions;

namespace KpLab.Scripting;

/// <summary>
/// An embedder that answers from an <see cref="EmbeddingCache"/> and sends only the missing texts, each once and in
/// one call, to the real embedder; the result keeps the order of the texts asked for.
/// </summary>
public sealed class CachingEmbedder : IEmbedder
{
    private readonly IEmbedder _inner;
    private readonly EmbeddingCache _cache;

    internal CachingEmbedder(IEmbedder inner, EmbeddingCache cache)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(cache);
        _inner = inner;
        _cache = cache;
    }

    /// <inheritdoc />
    public string Identity => _inner.Identity;

    /// <inheritdoc />
    public int Dimension => _inner.Dimension;

    /// <summary>The wrapped embedder.</summary>
    public IEmbedder Inner => _inner;

    /// <summary>Texts answered from the cache so far.</summary>
    public int CacheHits { get; private set; }

    /// <summary>Texts sent to the real embedder so far.</summary>
    public int Embedded { get; private set; }

    /// <inheritdoc />
    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var identity = _inner.Identity;
        var hashes = texts.Select(EmbeddingCache.HashText).ToArray();
        return _inner.DependsOnBatch
            ? EmbedWhole(identity, texts, hashes, progress, cancellationToken)
            : EmbedMissing(identity, texts, hashes, progress, cancellationToken);
    }

    private EmbeddingMatrix EmbedMissing(string identity, IReadOnlyList<string?> texts, TextHash[] hashes,
        IProgress<EmbeddingProgress>? progress, CancellationToken cancellationToken)
    {
        var rows = new float[]?[texts.Count];
        int dimension = _cache.Lookup(identity, hashes, rows);

        // Each missing text once, in order of first appearance.
        var missingIndex = new Dictionary<TextHash, int>();
        var missingTexts = new List<string?>();
        var missingHashes = new List<TextHash>();
        for (int i = 0; i < texts.Count; i++)
            if (rows[i] is null && missingIndex.TryAdd(hashes[i], missingTexts.Count))
            {
                missingTexts.Add(texts[i]);
                missingHashes.Add(hashes[i]);
            }

        int cached = rows.Count(r => r is not null);
        CacheHits += cached;
        EmbeddingMatrix? fresh = null;
        if (missingTexts.Count > 0)
        {
            var inner = progress is null ? null : new Progress(progress, cached, texts.Count);
            fresh = _inner.Embed(missingTexts, inner, cancellationToken);
            if (fresh.Rows != missingTexts.Count)
                throw new InvalidOperationException(
                    $"Embedder {LogText.Quote(identity)} returned {fresh.Rows} vectors for {missingTexts.Count} texts.");
            if (dimension != 0 && fresh.Columns != dimension)
                throw new InvalidOperationException(
                    $"Embedder {LogText.Quote(identity)} returned {fresh.Columns}-dimensional vectors but its cached ones have {dimension}; clear the cache (kplab cache clear) if the model changed without changing its identity.");
            dimension = fresh.Columns;
            Embedded += missingTexts.Count;
            _cache.Store(identity, missingHashes, fresh);
        }
        progress?.Report(new EmbeddingProgress(texts.Count, texts.Count));

        return EmbeddingMatrix.Create(texts.Count, dimension, span =>
        {
            for (int i = 0; i < texts.Count; i++)
            {
                var target = span.Slice(i * dimension, dimension);
                if (rows[i] is { } row) row.CopyTo(target);
                else fresh!.Row(missingIndex[hashes[i]]).CopyTo(target);
            }
        });
    }

    private EmbeddingMatrix EmbedWhole(string identity, IReadOnlyList<string?> texts, TextHash[] hashes,
        IProgress<EmbeddingProgress>? progress, CancellationToken cancellationToken)
    {
        var cached = _cache.LookupBatch(identity, hashes);
        if (cached is not null)
        {
            CacheHits += texts.Count;
            progress?.Report(new EmbeddingProgress(texts.Count, texts.Count));
            return cached;
        }
        var fresh = _inner.Embed(texts, progress, cancellationToken);
        Embedded += texts.Count;
        _cache.StoreBatch(identity, hashes, fresh);
        return fresh;
    }

    /// <summary>Reports the inner job's progress as progress over all texts, the cached ones counted as done.</summary>
    private sealed class Progress(IProgress<EmbeddingProgress> outer, int cached, int total) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value) => outer.Report(new EmbeddingProgress(cached + value.Done, total));
    }
}
