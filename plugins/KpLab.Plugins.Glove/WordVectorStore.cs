using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.Glove;

/// <summary>
/// Word vectors in KpLab's compact binary form, loaded with one read per section, and an open-addressing hash table
/// (stored in the file, so nothing is rebuilt at load) for word lookup.
/// </summary>
/// <remarks>
/// Layout, little-endian: a 128-byte header — magic "KPLGLOVE", format version (u32), dimension (u32), word count
/// (u32), table size (u32, a power of two), UTF-8 byte count (u64), SHA-256 of the source JSON (32 bytes), reserved —
/// then the vectors (float32, count × dimension, row = frequency rank), the word offsets (u32, count + 1), the words
/// (UTF-8) and the table (i32 word index or -1; FNV-1a of the UTF-8 bytes, linear probing).
/// </remarks>
internal sealed class WordVectorStore
{
    public const int HeaderBytes = 128;
    public const uint FormatVersion = 1;
    private static readonly byte[] Magic = "KPLGLOVE"u8.ToArray();

    private readonly float[] _vectors;
    private readonly uint[] _offsets;
    private readonly byte[] _words;
    private readonly int[] _table;

    private WordVectorStore(int dimension, float[] vectors, uint[] offsets, byte[] words, int[] table, string sourceSha256)
    {
        Dimension = dimension;
        _vectors = vectors;
        _offsets = offsets;
        _words = words;
        _table = table;
        SourceSha256 = sourceSha256;
    }

    public int Dimension { get; }
    public int Count => _offsets.Length - 1;

    /// <summary>Hex SHA-256 of the JSON the file was converted from.</summary>
    public string SourceSha256 { get; }

    /// <summary>Row <paramref name="index"/> (the word of frequency rank <paramref name="index"/>).</summary>
    public ReadOnlySpan<float> Vector(int index) => _vectors.AsSpan(index * Dimension, Dimension);

    /// <summary>The word at <paramref name="index"/>.</summary>
    public string Word(int index) => Encoding.UTF8.GetString(_words, (int)_offsets[index], (int)(_offsets[index + 1] - _offsets[index]));

    /// <summary>The index of <paramref name="word"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<char> word)
    {
        int max = Encoding.UTF8.GetMaxByteCount(word.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[max] : new byte[max];
        utf8 = utf8[..Encoding.UTF8.GetBytes(word, utf8)];
        int mask = _table.Length - 1;
        for (uint slot = Hash(utf8) & (uint)mask; ; slot = (slot + 1) & (uint)mask)
        {
            int index = _table[slot];
            if (index < 0) return -1;
            if (utf8.SequenceEqual(_words.AsSpan((int)_offsets[index], (int)(_offsets[index + 1] - _offsets[index])))) return index;
        }
    }

    /// <summary>Writes the binary file for <paramref name="words"/> (in rank order) atomically.</summary>
    public static void Write(string path, IReadOnlyList<string> words, float[] vectors, int dimension, byte[] sourceSha256)
    {
        var utf8 = words.Select(w => Encoding.UTF8.GetBytes(w)).ToArray();
        var offsets = new uint[words.Count + 1];
        for (int i = 0; i < utf8.Length; i++) offsets[i + 1] = checked(offsets[i] + (uint)utf8[i].Length);
        int tableSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, words.Count * 2));
        var table = new int[tableSize];
        Array.Fill(table, -1);
        for (int i = 0; i < utf8.Length; i++)
        {
            uint slot = Hash(utf8[i]) & (uint)(tableSize - 1);
            while (table[slot] >= 0)
            {
                if (utf8[table[slot]].AsSpan().SequenceEqual(utf8[i])) throw new InvalidDataException($"glove: the word '{words[i]}' occurs twice.");
                slot = (slot + 1) & (uint)(tableSize - 1);
            }
            table[slot] = i;
        }
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)dimension);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)words.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)tableSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), offsets[^1]);
        sourceSha256.CopyTo(header, 32);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(MemoryMarshal.AsBytes(vectors.AsSpan()));
            stream.Write(MemoryMarshal.AsBytes(offsets.AsSpan()));
            foreach (var w in utf8) stream.Write(w);
            stream.Write(MemoryMarshal.AsBytes(table.AsSpan()));
        });
    }

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a complete KpLab word-vector file of this version.</exception>
    public static WordVectorStore Read(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("glove: the binary format is little-endian.");
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(handle);
        var header = new byte[HeaderBytes];
        if (length < HeaderBytes || RandomAccess.Read(handle, header, 0) != HeaderBytes || !header.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"glove: {path} is not a KpLab word-vector file.");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (version != FormatVersion) throw new InvalidDataException($"glove: {path} has format version {version}, expected {FormatVersion}.");
        int dimension = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16));
        int tableSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20));
        long wordBytes = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(24));
        long expected = HeaderBytes + 4L * count * dimension + 4L * (count + 1) + wordBytes + 4L * tableSize;
        if (length != expected || dimension <= 0 || count < 0 || !BitOperations.IsPow2(tableSize) || tableSize <= count)
            throw new InvalidDataException($"glove: {path} is truncated or inconsistent ({length} bytes, expected {expected}).");
        var vectors = GC.AllocateUninitializedArray<float>(count * dimension);
        var offsets = new uint[count + 1];
        var words = GC.AllocateUninitializedArray<byte>((int)wordBytes);
        var table = GC.AllocateUninitializedArray<int>(tableSize);
        long position = HeaderBytes;
        ReadExactly(handle, MemoryMarshal.AsBytes(vectors.AsSpan()), ref position);
        ReadExactly(handle, MemoryMarshal.AsBytes(offsets.AsSpan()), ref position);
        ReadExactly(handle, words, ref position);
        ReadExactly(handle, MemoryMarshal.AsBytes(table.AsSpan()), ref position);
        if (offsets[0] != 0 || offsets[^1] != wordBytes)
            throw new InvalidDataException($"glove: {path} has an inconsistent word table.");
        return new WordVectorStore(dimension, vectors, offsets, words, table, Convert.ToHexStringLower(header.AsSpan(32, 32)));
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> target, ref long position)
    {
        while (target.Length > 0)
        {
            int read = RandomAccess.Read(handle, target, position);
            if (read <= 0) throw new EndOfStreamException("glove: unexpected end of the word-vector file.");
            position += read;
            target = target[read..];
        }
    }

    // FNV-1a, 32 bits, over the UTF-8 bytes; fixed by the format (version 1).
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        uint h = 2166136261;
        foreach (var b in bytes) h = (h ^ b) * 16777619;
        return h;
    }
}
