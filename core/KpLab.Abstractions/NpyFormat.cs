using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KpLab.Abstractions;

/// <summary>Reads and writes NumPy's .npy format (versions 1.0 to 3.0) for <see cref="EmbeddingMatrix"/>.</summary>
internal static partial class NpyFormat
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static EmbeddingMatrix Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npy file.", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static EmbeddingMatrix Read(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[10];
        if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || !prefix[..6].SequenceEqual(Magic))
            throw Bad(name, "not a NumPy .npy file (magic string \\x93NUMPY missing)");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], extra[0], extra[1]]);
        }
        else throw Bad(name, $"unsupported .npy format version {major}.{prefix[7]}");
        if (headerLength is <= 0 or > 1 << 20) throw Bad(name, $"implausible header length {headerLength}");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw Bad(name, $"header is not a NumPy array description: {header.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s.TrimEnd('L'), CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length is 0 or > 2)
            throw Bad(name, $"shape ({shape.Groups[1].Value}) has {dims.Length} dimensions; an embedding matrix needs 1 or 2");
        long rows = dims[0], cols = dims.Length == 2 ? dims[1] : 1;
        if (rows * cols > Array.MaxLength - 16) throw Bad(name, $"shape {rows} x {cols} is too large");
        bool isFortran = fortran.Groups[1].Value == "True";

        var type = descr.Groups[1].Value;
        int itemSize = type switch
        {
            "<f4" or "|f4" or "=f4" => 4,
            "<f8" or "|f8" or "=f8" => 8,
            _ => throw Bad(name, $"dtype '{type}' is not supported; KpLab reads little-endian float32 ('<f4') and float64 ('<f8')"),
        };
        long count = rows * cols;
        var raw = new byte[count * itemSize];
        int read = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        if (read < raw.Length)
            throw Bad(name, $"data is truncated: {read} of {raw.Length} bytes for shape {rows} x {cols}");

        return EmbeddingMatrix.Create((int)rows, (int)cols, span =>
        {
            for (long k = 0; k < count; k++)
            {
                float v = itemSize == 4
                    ? BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan((int)(k * 4), 4))
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan((int)(k * 8), 8));
                // Fortran order stores column by column: element k is (k % rows, k / rows).
                long target = isFortran ? (k % rows) * cols + k / rows : k;
                span[(int)target] = v;
            }
        });
    }

    public static void Write(string path, EmbeddingMatrix matrix) => AtomicFile.Write(path, s => Write(s, matrix));

    public static void Write(Stream stream, EmbeddingMatrix matrix)
    {
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({matrix.Rows}, {matrix.Columns}), }}";
        // Header padded with spaces and a newline so the data starts on a 64-byte boundary, as NumPy does.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        Span<byte> prefix = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0, 0];
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], (ushort)header.Length);
        stream.Write(prefix);
        stream.Write(Encoding.Latin1.GetBytes(header));
        var values = matrix.Values;
        var buffer = new byte[Math.Min(values.Length, 1 << 16) * 4];
        for (int start = 0; start < values.Length; start += buffer.Length / 4)
        {
            int n = Math.Min(buffer.Length / 4, values.Length - start);
            for (int i = 0; i < n; i++)
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4, 4), values[start + i]);
            stream.Write(buffer, 0, n * 4);
        }
    }

    private static InvalidDataException Bad(string name, string problem) => new($"{name}: {problem}.");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
