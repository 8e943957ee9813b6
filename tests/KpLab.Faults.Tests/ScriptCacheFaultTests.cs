using System.Buffers.Binary;
using KpLab.Scripting;
using KpLab.Scripting.Tests;

namespace KpLab.Faults.Tests;

/// <summary>
/// The compiled-script cache is checked before it is trusted: a patched .dll or a damaged .pdb is compiled again with
/// a warning naming the entry, never run, and never hides the script's own error.
/// </summary>
public sealed class ScriptCacheFaultTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    [Fact]
    public async Task A_patched_cached_assembly_is_compiled_again_with_a_warning_and_never_run()
    {
        workspace.Write("patched.csx", "int k = 123456789;\nLab.Log($\"k = {k}\");\nLab.Table(\"k\", new[] { new { k } });\n");
        var first = await workspace.RunAsync("patched.csx");
        Assert.Equal(0, first.Result.ExitCode);
        var dll = CachedFile(first.Result, ".dll");

        // Patch the constant in the IL, as an attacker with write access to the cache would.
        var image = File.ReadAllBytes(dll);
        var original = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(original, 123456789);
        int at = image.AsSpan().IndexOf(original);
        Assert.True(at >= 0, "the constant is not in the cached assembly");
        Assert.Equal(-1, image.AsSpan(at + 1).IndexOf(original));
        BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(at), 987654321);
        File.WriteAllBytes(dll, image);

        var second = await workspace.RunAsync("patched.csx");
        Assert.Equal(0, second.Result.ExitCode);
        Assert.Equal("k = 123456789", second.Output.Trim());
        Assert.DoesNotContain("987654321", File.ReadAllText(Path.Combine(second.Result.RunDirectory!, "k.csv")));
        Assert.Contains($"warning: compiled-script cache entry {Path.ChangeExtension(dll, null)}.dll is damaged or was modified", second.Error);
        Assert.Contains($"{dll} does not match its recorded SHA-256", second.Error);
        Assert.False(second.Result.Record!.Script.CompiledFromCache);

        // The entry was rewritten: the next run loads it again, silently.
        var third = await workspace.RunAsync("patched.csx");
        Assert.True(third.Result.Record!.Script.CompiledFromCache);
        Assert.Equal("k = 123456789", third.Output.Trim());
        Assert.Equal("", third.Error);
    }

    [Fact]
    public async Task A_damaged_pdb_is_compiled_again_and_the_script_error_keeps_its_line()
    {
        var path = workspace.Write("pdb.csx", "Lab.Log(\"start\");\nvar n = Lab.RawArgs.Count;\nthrow new InvalidOperationException($\"boom {n}\");\n");
        var first = await workspace.RunAsync("pdb.csx");
        Assert.Contains($"{path}:3: error: InvalidOperationException: boom 0", first.Error);
        var pdb = CachedFile(first.Result, ".pdb");
        Damage(pdb);

        var second = await workspace.RunAsync("pdb.csx");
        Assert.Equal(ScriptRunner.ScriptFailed, second.Result.ExitCode);
        Assert.Contains($"{pdb} does not match its recorded SHA-256", second.Error);
        Assert.Contains($"{path}:3: error: InvalidOperationException: boom 0", second.Error);
        Assert.False(second.Result.Record!.Script.CompiledFromCache);
        var record = ScriptWorkspace.Record(second.Result);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal($"{path}:3", record.GetProperty("error").GetProperty("location").GetString());
    }

    [Fact]
    public async Task A_damaged_pdb_that_matches_a_forged_manifest_still_leaves_the_script_error_in_charge()
    {
        // The manifest forged to match the damaged symbols: the check passes, so the symbol reader meets the damage.
        workspace.Write("forged.csx", "Lab.Log(\"start\");\nthrow new InvalidOperationException(\"forged boom\");\n");
        var first = await workspace.RunAsync("forged.csx");
        var pdb = CachedFile(first.Result, ".pdb");
        Damage(pdb);
        var manifest = Path.ChangeExtension(pdb, ".sha256.json");
        var hashes = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
        hashes["Pdb"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(pdb)));
        File.WriteAllText(manifest, hashes.ToJsonString());

        var second = await workspace.RunAsync("forged.csx");
        Assert.Equal(ScriptRunner.ScriptFailed, second.Result.ExitCode);
        Assert.Contains("error: InvalidOperationException: forged boom", second.Error);
        Assert.DoesNotContain("COR20", second.Error);
        var record = ScriptWorkspace.Record(second.Result);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal("forged boom", record.GetProperty("error").GetProperty("message").GetString());
    }

    private string CachedFile(RunResult run, string extension)
    {
        var file = Path.Combine(workspace.ScriptCache, run.Record!.Script.CacheKey + extension);
        Assert.True(File.Exists(file), $"no cached {file}");
        return file;
    }

    // Flips bits in every byte: the file keeps its length but is no longer a portable PDB.
    private static void Damage(string file)
    {
        var bytes = File.ReadAllBytes(file);
        for (int i = 0; i < bytes.Length; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(file, bytes);
    }
}
