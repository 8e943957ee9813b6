using KpLab.Abstractions;

namespace KpLab.Abstractions.Tests;

public sealed class ModelCacheTests
{
    private sealed class Model(int id) : IDisposable
    {
        public int Id { get; } = id;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public async Task ConcurrentCallersShareOneLoad()
    {
        var cache = new ModelCache();
        var loads = 0;
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            gate.Wait();
            return cache.GetOrLoad("model", () =>
            {
                Interlocked.Increment(ref loads);
                Thread.Sleep(50);
                return new Model(42);
            });
        })).ToArray();
        gate.Set();
        var models = await Task.WhenAll(tasks);
        Assert.Equal(1, loads);
        Assert.All(models, m => Assert.Same(models[0], m));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void KeysAreSeparatedByTypeAndString()
    {
        var cache = new ModelCache();
        var a = cache.GetOrLoad("x", () => new Model(1));
        var b = cache.GetOrLoad("y", () => new Model(2));
        var c = cache.GetOrLoad("x", () => "a string model");
        Assert.Equal(1, a.Id);
        Assert.Equal(2, b.Id);
        Assert.Equal("a string model", c);
        Assert.Same(a, cache.GetOrLoad("x", () => new Model(3)));
    }

    [Fact]
    public void FailedLoadIsNotRememberedAndRemoveDisposes()
    {
        var cache = new ModelCache();
        Assert.Throws<FileNotFoundException>(() => cache.GetOrLoad<Model>("m", () => throw new FileNotFoundException("missing")));
        Assert.Equal(0, cache.Count);
        var model = cache.GetOrLoad("m", () => new Model(7));
        Assert.Equal(7, model.Id);
        Assert.True(cache.Remove<Model>("m"));
        Assert.True(model.Disposed);
        Assert.False(cache.Remove<Model>("m"));
        Assert.NotSame(model, cache.GetOrLoad("m", () => new Model(8)));
    }

    [Fact]
    public void ContextsShareTheProcessWideCacheByDefault()
    {
        Assert.Same(ModelCache.Shared, new PluginContext(new RandomSource(1)).Models);
        var own = new ModelCache();
        Assert.Same(own, new PluginContext(new RandomSource(1)) { Models = own }.Models);
    }
}
