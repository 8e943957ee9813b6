using System.IO.Compression;
using System.Text.Json;

namespace KpLab.Plugins.Tfidf.Tests;

/// <summary>Reads the JSON fixtures written by Fixtures/make_fixtures.py.</summary>
internal static class Fixture
{
    public static JsonDocument Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        using var file = File.OpenRead(path);
        using Stream stream = name.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return JsonDocument.Parse(stream);
    }

    /// <summary>A string stored either as a JSON string or as an array of UTF-16 code units (lone surrogates).</summary>
    public static string Text(JsonElement element) => element.ValueKind == JsonValueKind.Array
        ? new string(element.EnumerateArray().Select(u => (char)u.GetInt32()).ToArray())
        : element.GetString()!;

    public static double[] Doubles(JsonElement element) => element.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(JsonElement element) => element.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
