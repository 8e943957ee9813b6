using System.Security.Cryptography;
using System.Text.Json;

namespace KpLab.Plugins.Glove;

/// <summary>
/// Converts a wink-embeddings JSON file (<c>{"dimensions": d, "l2NormIndex": d, "wordIndex": d + 1, "size": n,
/// "words": [...], "vectors": {"word": [v₁ … v_d, |v|, rank], ...}, "unkVector": [...]}</c>) into a
/// <see cref="WordVectorStore"/> file. The ~300 MB JSON is streamed through <see cref="Utf8JsonReader"/> in 1 MiB
/// chunks (never a DOM) while its SHA-256 is computed; every entry's length, rank and word are checked.
/// </summary>
internal static class WinkJsonConverter
{
    private enum Section { Other, Words, Vectors }

    public static void Convert(string jsonPath, string binaryPath)
    {
        var parser = new Parser();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = new FileStream(jsonPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            var buffer = new byte[1 << 20];
            int filled = 0;
            var state = new JsonReaderState();
            while (true)
            {
                int read = stream.Read(buffer, filled, buffer.Length - filled);
                hash.AppendData(buffer, filled, read);
                filled += read;
                bool final = read == 0;
                var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
                parser.Consume(ref reader);
                state = reader.CurrentState;
                int consumed = (int)reader.BytesConsumed;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                if (final) break;
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
        var (words, vectors, dimension) = parser.Finish(jsonPath);
        WordVectorStore.Write(binaryPath, words, vectors, dimension, hash.GetHashAndReset());
    }

    private sealed class Parser
    {
        private readonly List<string> _words = [];
        private readonly List<string> _keys = [];
        private readonly List<int> _ranks = [];
        private float[] _values = new float[1 << 20];
        private int _valueCount;
        private readonly Dictionary<string, double> _scalars = [];
        private Section _section;
        private string? _property;
        private int _position; // index inside the current vector entry
        private int _entryStart;

        public void Consume(ref Utf8JsonReader reader)
        {
            while (reader.Read())
            {
                int depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName when depth == 1:
                        _property = reader.GetString();
                        _section = _property switch { "words" => Section.Words, "vectors" => Section.Vectors, _ => Section.Other };
                        break;
                    case JsonTokenType.Number when depth == 1:
                        _scalars[_property!] = reader.GetDouble();
                        break;
                    case JsonTokenType.String when depth == 2 && _section == Section.Words:
                        _words.Add(reader.GetString()!);
                        break;
                    case JsonTokenType.PropertyName when depth == 2 && _section == Section.Vectors:
                        _keys.Add(reader.GetString()!);
                        _position = 0;
                        _entryStart = _valueCount;
                        break;
                    case JsonTokenType.Number when depth == 3 && _section == Section.Vectors:
                        // Every number is kept; the norm and rank are taken out in Finish once the dimension is known.
                        if (_valueCount == _values.Length) Array.Resize(ref _values, _values.Length * 2);
                        _values[_valueCount++] = reader.GetSingle();
                        _position++;
                        break;
                    case JsonTokenType.EndArray when depth == 2 && _section == Section.Vectors:
                        _ranks.Add(_position);
                        break;
                }
            }
        }

        public (List<string> Words, float[] Vectors, int Dimension) Finish(string path)
        {
            int d = (int)Scalar("dimensions", path);
            if (Scalar("l2NormIndex", path) != d || Scalar("wordIndex", path) != d + 1)
                throw new InvalidDataException($"glove: {path}: expected l2NormIndex = {d} and wordIndex = {d + 1}.");
            int n = _keys.Count;
            if (_scalars.TryGetValue("size", out var size) && size != n)
                throw new InvalidDataException($"glove: {path}: size says {size} words, the vectors hold {n}.");
            var words = new string[n];
            var vectors = new float[(long)n * d];
            for (int e = 0; e < n; e++)
            {
                if (_ranks[e] != d + 2)
                    throw new InvalidDataException($"glove: {path}: the vector of '{_keys[e]}' has {_ranks[e]} numbers, expected {d + 2}.");
                int start = e * (d + 2);
                float rankValue = _values[start + d + 1];
                int rank = (int)rankValue;
                if (rank != rankValue || rank < 0 || rank >= n || words[rank] is not null)
                    throw new InvalidDataException($"glove: {path}: '{_keys[e]}' has an invalid or repeated rank {rankValue}.");
                if (_words.Count > 0 && (_words.Count != n || _words[rank] != _keys[e]))
                    throw new InvalidDataException($"glove: {path}: words[{rank}] is not '{_keys[e]}'.");
                words[rank] = _keys[e];
                Array.Copy(_values, start, vectors, (long)rank * d, d);
            }
            return (words.ToList(), vectors, d);
        }

        private double Scalar(string name, string path) => _scalars.TryGetValue(name, out var value)
            ? value
            : throw new InvalidDataException($"glove: {path} has no '{name}'; not a wink-embeddings file.");
    }
}
