using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting.Tests;

/// <summary>
/// The embedding cache shared by several processes (here: several cache objects on one folder, interleaved
/// deterministically); the eight-process race is in tests/KpLab.Cluster.Tests.
/// </summary>
public sealed class EmbeddingCacheSharingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kplab-embshare-").FullName;
    private readonly List<string> _warnings = [];

    private EmbeddingCache NewCache() => new(_root, _warnings.Add);

    [Fact]
    public void Compaction_keeps_the_packs_another_process_wrote_after_it_looked()
    {
        var first = NewCache().Wrap(new FakeEmbedder());
        first.Embed(["seen by both"]);
        // Another process adds a pack the first has never read.
        NewCache().Wrap(new FakeEmbedder()).Embed(["written elsewhere"]);
        // The first now writes enough packs to compact: it merges its own and must leave the other process's alone.
        for (int i = 0; i < EmbeddingCache.CompactAbove; i++) first.Embed([$"mine {i}"]);

        var inner = new FakeEmbedder();
        var all = new[] { "seen by both", "written elsewhere" }.Concat(Enumerable.Range(0, EmbeddingCache.CompactAbove).Select(i => $"mine {i}")).ToArray();
        NewCache().Wrap(inner).Embed(all);
        Assert.Empty(inner.Calls);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void A_lookup_that_misses_finds_what_another_process_stored_since()
    {
        var reader = NewCache().Wrap(new FakeEmbedder());
        reader.Embed(["early"]);
        NewCache().Wrap(new FakeEmbedder()).Embed(["late"]);
        var before = reader.Embedded;
        reader.Embed(["late", "early"]);
        Assert.Equal(before, reader.Embedded); // served from the other process's pack, not embedded again
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Two_writers_of_one_entry_leave_one_whole_copy_and_neither_fails()
    {
        var path = Path.Combine(_root, "entry.bin");
        Assert.True(AtomicFile.WriteOnce(path, "first"u8));
        Assert.False(AtomicFile.WriteOnce(path, "second"u8));
        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(["entry.bin"], Directory.GetFiles(_root).Select(Path.GetFileName));

        // Many threads racing on a fresh entry: exactly one wins, the file is one writer's whole content.
        var raced = Path.Combine(_root, "raced.bin");
        var payloads = Enumerable.Range(0, 16).Select(i => Enumerable.Repeat((byte)i, 1 << 16).ToArray()).ToArray();
        var wins = new bool[payloads.Length];
        Parallel.For(0, payloads.Length, i => wins[i] = AtomicFile.WriteOnce(raced, payloads[i]));
        int winner = Assert.Single(Enumerable.Range(0, wins.Length), i => wins[i]);
        Assert.Equal(payloads[winner], File.ReadAllBytes(raced));
        Assert.Empty(Directory.GetFiles(_root, "*.tmp"));
    }

    [Fact]
    public void Temp_files_of_another_host_are_left_to_their_writer_until_a_day_old()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "temps")).FullName;
        string Temp(string name, int pid, string? host) =>
            Path.Combine(dir, $".{name}.{pid}{(host is null ? "" : "@" + host)}.{Guid.NewGuid():N}.tmp");
        var ownLive = Temp("a.kpv", Environment.ProcessId, AtomicFile.HostName);
        var otherFresh = Temp("b.kpv", Environment.ProcessId, "some-other-node");
        var otherOld = Temp("c.kpv", Environment.ProcessId, "some-other-node");
        foreach (var f in new[] { ownLive, otherFresh, otherOld }) File.WriteAllText(f, "partial");
        File.SetLastWriteTimeUtc(otherOld, DateTime.UtcNow - StaleTempFiles.ForeignHostGrace - TimeSpan.FromMinutes(1));

        Assert.False(StaleTempFiles.IsStale(ownLive));
        Assert.False(StaleTempFiles.IsStale(otherFresh)); // its pid means nothing here: the writer may be alive there
        Assert.True(StaleTempFiles.IsStale(otherOld));
        Assert.Matches(@"^\.x\.kpv\.[0-9]+@[A-Za-z0-9-]+\.[0-9a-f]{32}\.tmp$", AtomicFile.TempName("x.kpv"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
