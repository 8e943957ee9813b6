using System.Buffers.Binary;
using System.Text;
using KpLab.Abstractions;

namespace KpLab.Data;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0 to 3.0) as <see cref="EmbeddingMatrix"/>, so vectors
/// move to and from Python unchanged. The header is parsed strictly, with checked arithmetic: a malformed header, an
/// impossible shape or a data length that disagrees with the shape is refused with the file and the fault named.
/// </summary>
public static class NpyFile
{
    private const int MaxHeaderLength = 1 << 20;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a <c>.npy</c> file: float32 or float64, 1-D (one column) or 2-D, C or Fortran order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a supported, well-formed .npy; the message names the file and the fault.</exception>
    public static EmbeddingMatrix Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npy file.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>Reads a <c>.npy</c> image from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The image is not a supported, well-formed .npy.</exception>
    public static EmbeddingMatrix Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix[..8], 8, throwOnEndOfStream: false);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
            throw Bad(name, "not a NumPy .npy file (magic string \\x93NUMPY missing)");
        int major = prefix[6], minor = prefix[7];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw Bad(name, $"unsupported .npy format version {major}.{minor}"),
        };
        if (stream.ReadAtLeast(prefix.Slice(8, lengthBytes), lengthBytes, throwOnEndOfStream: false) < lengthBytes)
            throw Bad(name, "the file ends inside the header-length field");
        long headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (headerLength is <= 0 or > MaxHeaderLength)
            throw Bad(name, $"implausible header length {headerLength} bytes (at most {MaxHeaderLength})");
        var headerBytes = new byte[headerLength];
        int headerRead = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (headerRead < headerBytes.Length)
            throw Bad(name, $"the header is cut: the file ends after {headerRead} of its {headerLength} header bytes");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var description = NpyHeader.Parse(header, problem => Bad(name, problem));
        return ReadData(stream, name, description);
    }

    /// <summary>Writes <paramref name="matrix"/> as a float32, C-order <c>.npy</c> file, atomically (temporary file, then rename).</summary>
    public static void Save(string path, EmbeddingMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        AtomicFile.Write(path, stream => Write(stream, matrix));
    }

    /// <summary>Writes <paramref name="matrix"/> as a float32, C-order <c>.npy</c> image to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, EmbeddingMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({matrix.Rows}, {matrix.Columns}), }}";
        // Header padded with spaces and a newline so the data starts on a 64-byte boundary, as NumPy does.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        Span<byte> prefix = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0, 0];
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], checked((ushort)header.Length));
        stream.Write(prefix);
        stream.Write(Encoding.Latin1.GetBytes(header));
        var values = matrix.Values;
        var buffer = new byte[Math.Min(values.Length, 1 << 16) * sizeof(float)];
        for (int start = 0; start < values.Length; start += buffer.Length / sizeof(float))
        {
            int n = Math.Min(buffer.Length / sizeof(float), values.Length - start);
            for (int i = 0; i < n; i++)
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float), sizeof(float)), values[start + i]);
            stream.Write(buffer, 0, n * sizeof(float));
        }
    }

    private static EmbeddingMatrix ReadData(Stream stream, string name, NpyHeader header)
    {
        int rows = header.Rows, columns = header.Columns, itemSize = header.ItemSize;
        long count = (long)rows * columns; // both fit in int and the product was checked against Array.MaxLength
        long dataBytes = count * itemSize;
        if (stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available != dataBytes)
                throw Bad(name, $"the data is {available} bytes, but shape {header.ShapeText} of '{header.Descr}' needs " +
                    $"{dataBytes} ({count} values of {itemSize} bytes)");
        }
        var chunk = new byte[(int)Math.Min(dataBytes, 1 << 16) / itemSize * itemSize + itemSize];
        return EmbeddingMatrix.Create(rows, columns, span =>
        {
            long k = 0;
            while (k < count)
            {
                int want = (int)Math.Min(count - k, chunk.Length / itemSize) * itemSize;
                int read = stream.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
                if (read < want)
                    throw Bad(name, $"the data is cut: {k * itemSize + read} of {dataBytes} bytes for shape {header.ShapeText}");
                for (int offset = 0; offset < want; offset += itemSize, k++)
                {
                    float v = itemSize == 4
                        ? BinaryPrimitives.ReadSingleLittleEndian(chunk.AsSpan(offset, 4))
                        : (float)BinaryPrimitives.ReadDoubleLittleEndian(chunk.AsSpan(offset, 8));
                    // Fortran order stores column by column: element k is (k % rows, k / rows).
                    long target = header.Fortran ? (k % rows) * columns + k / rows : k;
                    span[(int)target] = v;
                }
            }
            if (!stream.CanSeek && stream.ReadByte() >= 0)
                throw Bad(name, $"the data is longer than shape {header.ShapeText} of '{header.Descr}' needs ({dataBytes} bytes)");
        });
    }

    private static InvalidDataException Bad(string name, string problem) => new($"{name}: {problem}.");
}
