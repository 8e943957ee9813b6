namespace KpLab.Plugins.UseLite.Tests;

public sealed class TfjsWeightsTests
{
    [Fact]
    public void ReadsFloat32Int32AndQuantisedWeightsAcrossShards()
    {
        var folder = Directory.CreateTempSubdirectory("kplab-tfjs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "model.json"), """
                {"modelTopology": {"node": []}, "weightsManifest": [{"paths": ["s1", "s2"], "weights": [
                  {"name": "f", "shape": [2], "dtype": "float32"},
                  {"name": "i", "shape": [], "dtype": "int32"},
                  {"name": "u8", "shape": [3], "dtype": "float32", "quantization": {"dtype": "uint8", "min": -1.0, "scale": 0.5}},
                  {"name": "u16", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint16", "min": 2.0, "scale": 0.25}},
                  {"name": "h", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}}]}]}
                """);
            var bytes = new List<byte>();
            bytes.AddRange(BitConverter.GetBytes(1.5f));
            bytes.AddRange(BitConverter.GetBytes(-2.25f));
            bytes.AddRange(BitConverter.GetBytes(128));
            bytes.AddRange(new byte[] { 0, 1, 10 });
            bytes.AddRange(BitConverter.GetBytes((ushort)400));
            bytes.AddRange(BitConverter.GetBytes((Half)0.333f));
            bytes.AddRange(BitConverter.GetBytes((Half)(-7f)));
            File.WriteAllBytes(Path.Combine(folder, "s1"), bytes.Take(9).ToArray()); // a weight straddles the shards
            File.WriteAllBytes(Path.Combine(folder, "s2"), bytes.Skip(9).ToArray());

            var weights = TfjsWeights.Read(Path.Combine(folder, "model.json"), out var files);

            Assert.Equal(2, files.Count);
            Assert.Equal([1.5f, -2.25f], weights["f"].Values);
            Assert.Equal([128f], weights["i"].Values);
            Assert.Equal([-1f, -0.5f, 4f], weights["u8"].Values);
            Assert.Equal([102f], weights["u16"].Values);
            Assert.Equal([(float)(Half)0.333f, -7f], weights["h"].Values);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ShardsOfTheWrongSizeAreRejected()
    {
        var folder = Directory.CreateTempSubdirectory("kplab-tfjs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "model.json"),
                """{"weightsManifest": [{"paths": ["s"], "weights": [{"name": "f", "shape": [2], "dtype": "float32"}]}]}""");
            File.WriteAllBytes(Path.Combine(folder, "s"), new byte[12]);
            var error = Assert.Throws<InvalidDataException>(() => TfjsWeights.Read(Path.Combine(folder, "model.json"), out _));
            Assert.Contains("use-lite", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
