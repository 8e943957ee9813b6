using KpLab.Abstractions;

namespace KpLab.Scripting.Tests;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kplab-embcache-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _warnings = [];

    private EmbeddingCache NewCache() => new(_root, _warnings.Add);

    private static float[][] Rows(EmbeddingMatrix m) => Enumerable.Range(0, m.Rows).Select(i => m.Row(i).ToArray()).ToArray();

    [Fact]
    public void OnlyMissingTextsAreEmbeddedOnceInOneCallAndOrderIsKept()
    {
        var inner = new FakeEmbedder();
        var cached = NewCache().Wrap(inner);
        var first = cached.Embed(["alpha", "be", "alpha", null]);
        Assert.Equal(new[] { "alpha", "be", null }, Assert.Single(inner.Calls));

        var second = cached.Embed(["be", "new text", "alpha", "", "be"]);
        Assert.Equal(2, inner.Calls.Count);
        Assert.Equal(new[] { "new text" }, inner.Calls[1]); // "" is the same "no content" text as null
        Assert.Equal(Rows(new FakeEmbedder().Embed(["be", "new text", "alpha", "", "be"])), Rows(second));
        Assert.Equal(Rows(new FakeEmbedder().Embed(["alpha", "be", "alpha", null])), Rows(first));

        // A new process (new cache object) finds everything on disk.
        var fresh = new FakeEmbedder();
        var reread = NewCache().Wrap(fresh).Embed(["new text", "alpha", "be"]);
        Assert.Empty(fresh.Calls);
        Assert.Equal(Rows(new FakeEmbedder().Embed(["new text", "alpha", "be"])), Rows(reread));
        Assert.Empty(_warnings);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    public void ACorruptPackIsRecomputedWithAWarningNotACrash(string damage)
    {
        NewCache().Wrap(new FakeEmbedder()).Embed(["one", "two", "three"]);
        var pack = Directory.GetFiles(_root, "*.kpv", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(pack);
        switch (damage)
        {
            case "flip": bytes[bytes.Length - 40] ^= 0x01; break; // inside the last vector
            case "truncate": bytes = bytes[..^7]; break;
            default: bytes = "not a pack at all, just some text"u8.ToArray(); break;
        }
        File.WriteAllBytes(pack, bytes);

        var inner = new FakeEmbedder();
        var result = NewCache().Wrap(inner).Embed(["one", "two", "three"]);
        Assert.Equal(new[] { "one", "two", "three" }, Assert.Single(inner.Calls));
        Assert.Equal(Rows(new FakeEmbedder().Embed(["one", "two", "three"])), Rows(result));
        Assert.Contains(_warnings, w => w.Contains("corrupt") && w.Contains(pack));

        // The damaged pack was replaced by a good one: the next process is served from the cache without warnings.
        _warnings.Clear();
        var again = new FakeEmbedder();
        NewCache().Wrap(again).Embed(["one", "two", "three"]);
        Assert.Empty(again.Calls);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void DifferentIdentitiesDoNotShareVectors()
    {
        var cache = NewCache();
        cache.Wrap(new FakeEmbedder(3)).Embed(["same"]);
        var other = new FakeEmbedder(4);
        var result = cache.Wrap(other).Embed(["same"]);
        Assert.Single(other.Calls);
        Assert.Equal(4, result.Columns);
    }

    [Fact]
    public void ManySmallPacksAreCompactedIntoOne()
    {
        var cache = NewCache().Wrap(new FakeEmbedder());
        for (int i = 0; i <= EmbeddingCache.CompactAbove; i++) cache.Embed([$"text {i}"]);
        Assert.Single(Directory.GetFiles(_root, "*.kpv", SearchOption.AllDirectories));
        var inner = new FakeEmbedder();
        var all = Enumerable.Range(0, EmbeddingCache.CompactAbove + 1).Select(i => $"text {i}").ToArray();
        var result = NewCache().Wrap(inner).Embed(all);
        Assert.Empty(inner.Calls);
        Assert.Equal(Rows(new FakeEmbedder().Embed(all)), Rows(result));
        var entry = Assert.Single(NewCache().Describe());
        Assert.Equal(all.Length, entry.Vectors);
        Assert.Equal(1, entry.Packs);
    }

    [Theory]
    [InlineData(0, null)]   // dimension fixed by the texts: batch-dependent by default
    [InlineData(3, true)]   // fixed dimension but fitted on the batch (e.g. SIF with component removal)
    public void CorpusDependentEmbeddersAreCachedOnlyForTheExactTextList(int dimension, bool? dependsOnBatch)
    {
        var cache = NewCache();
        var inner = new FakeEmbedder(dimension, dependsOnBatch);
        var a = cache.Wrap(inner).Embed(["x", "y"]);
        var b = cache.Wrap(inner).Embed(["x", "y"]);
        Assert.Single(inner.Calls);
        Assert.Equal(Rows(a), Rows(b));
        cache.Wrap(inner).Embed(["x"]);
        Assert.Equal(2, inner.Calls.Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
