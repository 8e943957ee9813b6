using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KpLab.Abstractions;

/// <summary>
/// What produced a fitted model, as a run record names it: the plugin, its version, a hash of its effective options
/// and a hash of the matrix it was fitted on. A model file carries it and loading checks it.
/// </summary>
/// <param name="Plugin">The plugin's script name, e.g. "hdbscan".</param>
/// <param name="Version">The plugin's version (its assembly's informational version).</param>
/// <param name="OptionsHash"><see cref="HashOptions"/> of the effective options.</param>
/// <param name="DataHash"><see cref="HashData"/> of the matrix the model was fitted on.</param>
public sealed record ClusterModelIdentity(string Plugin, string Version, string OptionsHash, string DataHash)
{
    private static readonly JsonSerializerOptions OptionsJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The identity of <paramref name="options"/> of plugin <paramref name="plugin"/> fitted on <paramref name="data"/>.</summary>
    public static ClusterModelIdentity Of(string plugin, string version, PluginOptions options, EmbeddingMatrix data) =>
        new(plugin, version, HashOptions(options), HashData(data));

    /// <summary>
    /// SHA-256 of the options record as camel-case JSON with enums as names (the form run records store), prefixed by
    /// the record's type name: equal options give equal hashes, any changed value another.
    /// </summary>
    public static string HashOptions(PluginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ContentHash.OfFields([options.GetType().FullName, JsonSerializer.Serialize(options, options.GetType(), OptionsJson)]);
    }

    /// <summary>SHA-256 of the matrix's shape (rows, columns as little-endian 32-bit integers) and its float32 values.</summary>
    public static string HashData(EmbeddingMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<int> shape = [data.Rows, data.Columns];
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Model files are written on little-endian machines.");
        sha.AppendData(MemoryMarshal.AsBytes(shape));
        sha.AppendData(MemoryMarshal.AsBytes(data.Values));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

/// <summary>
/// KpLab's file of a fitted clusterer (<c>.kpmodel</c>): the 8 bytes <c>KPMODEL1</c>, a length-prefixed UTF-8 JSON header
/// with the <see cref="ClusterModelIdentity"/>, the plugin's payload (<see cref="IClusterModel.Write"/>) and a SHA-256 of
/// everything before it, so a truncated or edited file is refused rather than half read. Written atomically.
/// </summary>
public static class ClusterModelFile
{
    private static readonly byte[] Magic = "KPMODEL1"u8.ToArray();
    private const int HashBytes = 32;

    /// <summary>Writes <paramref name="model"/> with <paramref name="identity"/> to <paramref name="path"/> (atomically: a
    /// temporary file beside it, then a rename).</summary>
    public static void Save(string path, ClusterModelIdentity identity, IClusterModel model)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(model);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            var header = JsonSerializer.SerializeToUtf8Bytes(new Header(1, identity.Plugin, identity.Version, identity.OptionsHash, identity.DataHash));
            writer.Write(header.Length);
            writer.Write(header);
            model.Write(writer);
        }
        var bytes = buffer.ToArray();
        var full = Path.GetFullPath(path);
        var temporary = full + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Write(SHA256.HashData(bytes));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The identity a model file carries, without reading its payload.</summary>
    /// <exception cref="InvalidDataException">Not a KpLab model file, or damaged (the message names the file).</exception>
    public static ClusterModelIdentity ReadIdentity(string path) => Open(path).Identity;

    /// <summary>
    /// Loads the model at <paramref name="path"/> through <paramref name="plugin"/>, refusing it unless the file's plugin
    /// name, version and options hash equal <paramref name="expected"/>'s, and its data hash too unless
    /// <paramref name="expected"/>'s <see cref="ClusterModelIdentity.DataHash"/> is null or empty.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged, or its identity differs (the message names each field that differs, with both values).</exception>
    public static IClusterModel Load(string path, IPredictingClusterer plugin, ClusterModelIdentity expected)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(expected);
        var (identity, payload) = Open(path);
        var differences = new List<string>();
        void Compare(string field, string have, string want)
        {
            if (!string.Equals(have, want, StringComparison.Ordinal)) differences.Add($"{field} is '{have}', expected '{want}'");
        }
        Compare("plugin", identity.Plugin, expected.Plugin);
        Compare("version", identity.Version, expected.Version);
        Compare("options hash", identity.OptionsHash, expected.OptionsHash);
        if (!string.IsNullOrEmpty(expected.DataHash)) Compare("data hash", identity.DataHash, expected.DataHash);
        if (differences.Count > 0)
            throw new InvalidDataException($"Model file '{path}' was not fitted by this clusterer on this data: {string.Join("; ", differences)}.");
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        IClusterModel model;
        try
        {
            model = plugin.ReadModel(reader);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"Model file '{path}': the {identity.Plugin} payload ends early.");
        }
        if (reader.BaseStream.Position != payload.Length)
            throw new InvalidDataException($"Model file '{path}': {payload.Length - reader.BaseStream.Position} bytes follow the {identity.Plugin} payload.");
        return model;
    }

    private static (ClusterModelIdentity Identity, byte[] Payload) Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 + HashBytes || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a KpLab model file (it does not start with KPMODEL1).");
        var body = bytes.AsSpan(0, bytes.Length - HashBytes);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashBytes)))
            throw new InvalidDataException($"Model file '{path}' is damaged: its SHA-256 check fails (truncated or edited).");
        int headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        int headerStart = Magic.Length + 4;
        if (headerLength < 2 || headerLength > body.Length - headerStart)
            throw new InvalidDataException($"Model file '{path}' has a header length of {headerLength} bytes, beyond the file.");
        Header? header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(headerStart, headerLength));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Model file '{path}' has an unreadable header: {e.Message}");
        }
        if (header is null || header.Format != 1 || header.Plugin is null || header.Version is null || header.OptionsHash is null || header.DataHash is null)
            throw new InvalidDataException($"Model file '{path}' has a header of an unknown format (format {header?.Format}; this KpLab reads format 1).");
        var payload = body[(headerStart + headerLength)..].ToArray();
        return (new ClusterModelIdentity(header.Plugin, header.Version, header.OptionsHash, header.DataHash), payload);
    }

    private sealed record Header(
        [property: JsonPropertyName("format")] int Format,
        [property: JsonPropertyName("plugin")] string? Plugin,
        [property: JsonPropertyName("version")] string? Version,
        [property: JsonPropertyName("optionsHash")] string? OptionsHash,
        [property: JsonPropertyName("dataHash")] string? DataHash);
}

/// <summary>
/// The pieces model payloads are made of, written little-endian with their lengths so that a reader can check them:
/// a plugin's <see cref="IClusterModel.Write"/> and <see cref="IPredictingClusterer.ReadModel"/> use these in the same order.
/// </summary>
public static class ClusterModelPayload
{
    /// <summary>Writes a matrix: rows, columns, then the float32 values.</summary>
    public static void WriteMatrix(BinaryWriter writer, EmbeddingMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        writer.Write(matrix.Rows);
        writer.Write(matrix.Columns);
        writer.Write(MemoryMarshal.AsBytes(matrix.Values));
    }

    /// <summary>Reads a matrix <see cref="WriteMatrix"/> wrote.</summary>
    /// <exception cref="InvalidDataException">A negative or impossible shape.</exception>
    public static EmbeddingMatrix ReadMatrix(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int rows = reader.ReadInt32(), columns = reader.ReadInt32();
        long bytes = 4L * rows * columns;
        if (rows < 0 || columns < 0 || bytes > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"A model matrix of {rows} x {columns} does not fit the payload.");
        var raw = reader.ReadBytes((int)bytes);
        return EmbeddingMatrix.FromValues(rows, columns, MemoryMarshal.Cast<byte, float>(raw));
    }

    /// <summary>Writes a count, then the integers.</summary>
    public static void WriteInts(BinaryWriter writer, ReadOnlySpan<int> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads integers <see cref="WriteInts"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The count is negative or beyond the payload.</exception>
    public static int[] ReadInts(BinaryReader reader) => MemoryMarshal.Cast<byte, int>(ReadBlock(reader, sizeof(int))).ToArray();

    /// <summary>Writes a count, then the doubles.</summary>
    public static void WriteDoubles(BinaryWriter writer, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads doubles <see cref="WriteDoubles"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The count is negative or beyond the payload.</exception>
    public static double[] ReadDoubles(BinaryReader reader) => MemoryMarshal.Cast<byte, double>(ReadBlock(reader, sizeof(double))).ToArray();

    private static byte[] ReadBlock(BinaryReader reader, int width)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int count = reader.ReadInt32();
        if (count < 0 || (long)count * width > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"A model array of {count} values does not fit the payload.");
        return reader.ReadBytes(count * width);
    }
}
