using System.Text.Json;

namespace KpLab.Plugins.Onnx.Tests;

internal static class FixtureFiles
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static JsonElement Json(string name) => JsonDocument.Parse(File.ReadAllBytes(Path(name))).RootElement;

    /// <summary>A fresh copy of the tiny-bert folder under a temp directory, to vary its files.</summary>
    public static string CopyOfTinyBert(string name = "tiny-bert")
    {
        var target = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kplab-onnx-tests", Guid.NewGuid().ToString("N"), name);
        foreach (var file in Directory.EnumerateFiles(Path("tiny-bert"), "*", SearchOption.AllDirectories))
        {
            var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(Path("tiny-bert"), file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    public static string FromUtf16(JsonElement units) =>
        new(units.EnumerateArray().Select(u => (char)u.GetInt32()).ToArray());

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
}
