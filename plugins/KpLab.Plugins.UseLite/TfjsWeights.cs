using System.Text.Json;

namespace KpLab.Plugins.UseLite;

/// <summary>One tensor of a TF.js graph model's weights, dequantised to float32 (int32 tensors keep integer values).</summary>
internal sealed record TfjsTensor(string Name, int[] Shape, float[] Values)
{
    public int Count => Values.Length;
}

/// <summary>
/// Reads the weights of a TF.js graph model (model.json + binary shards) by name, following its weightsManifest: the
/// shards of all groups are concatenated in manifest order and each weight takes size × bytes-per-element bytes, where
/// the element type is the quantisation dtype when present (uint8/uint16 affine with min and scale, or float16) and
/// the tensor dtype otherwise (float32, int32, bool).
/// </summary>
internal static class TfjsWeights
{
    public static IReadOnlyDictionary<string, TfjsTensor> Read(string modelJsonPath, out IReadOnlyList<string> files)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
        using var document = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
        if (!document.RootElement.TryGetProperty("weightsManifest", out var manifest))
            throw new InvalidDataException($"use-lite: {modelJsonPath} has no weightsManifest.");
        var tensors = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        var shardFiles = new List<string>();
        foreach (var group in manifest.EnumerateArray())
        {
            var paths = group.GetProperty("paths").EnumerateArray().Select(p => Path.Combine(folder, p.GetString()!)).ToList();
            shardFiles.AddRange(paths);
            var bytes = Concatenate(paths);
            long offset = 0;
            foreach (var weight in group.GetProperty("weights").EnumerateArray())
            {
                var tensor = Decode(weight, bytes, ref offset);
                tensors[tensor.Name] = tensor;
            }
            if (offset != bytes.Length)
                throw new InvalidDataException($"use-lite: the weights of {modelJsonPath} take {offset} bytes but the shards hold {bytes.Length}.");
        }
        files = shardFiles;
        return tensors;
    }

    private static byte[] Concatenate(IReadOnlyList<string> paths)
    {
        var total = paths.Sum(p => new FileInfo(p).Length);
        var bytes = new byte[total];
        long at = 0;
        foreach (var path in paths)
        {
            using var stream = File.OpenRead(path);
            stream.ReadExactly(bytes.AsSpan((int)at, (int)stream.Length));
            at += stream.Length;
        }
        return bytes;
    }

    private static TfjsTensor Decode(JsonElement weight, byte[] bytes, ref long offset)
    {
        var name = weight.GetProperty("name").GetString()!;
        var shape = weight.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var dtype = weight.GetProperty("dtype").GetString();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var values = new float[count];
        string storage = dtype ?? "float32";
        float min = 0f, scale = 1f;
        bool affine = false;
        if (weight.TryGetProperty("quantization", out var quantization))
        {
            storage = quantization.GetProperty("dtype").GetString()!;
            if (quantization.TryGetProperty("scale", out var s))
            {
                scale = s.GetSingle();
                min = quantization.GetProperty("min").GetSingle();
                affine = true;
            }
        }
        int width = storage switch
        {
            "float32" or "int32" => 4,
            "uint16" or "float16" => 2,
            "uint8" or "bool" => 1,
            _ => throw new InvalidDataException($"use-lite: weight '{name}' has unsupported storage type '{storage}'."),
        };
        if (offset + count * width > bytes.Length)
            throw new InvalidDataException($"use-lite: weight '{name}' runs past the end of the shards.");
        var span = bytes.AsSpan((int)offset, (int)(count * width));
        for (int i = 0; i < count; i++)
        {
            float raw = storage switch
            {
                "float32" => BitConverter.ToSingle(span.Slice(i * 4, 4)),
                "int32" => BitConverter.ToInt32(span.Slice(i * 4, 4)),
                "uint16" => BitConverter.ToUInt16(span.Slice(i * 2, 2)),
                "float16" => (float)BitConverter.ToHalf(span.Slice(i * 2, 2)),
                _ => span[i],
            };
            values[i] = affine ? raw * scale + min : raw;
            // TF.js rounds dequantised integer tensors back to integers.
            if (affine && dtype == "int32") values[i] = MathF.Round(values[i]);
        }
        offset += count * width;
        return new TfjsTensor(name, shape, values);
    }
}
