using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace MyEmbedderPlugin;

/// <summary>Options of <see cref="MyEmbedder"/>: every option has a default and a description.</summary>
public sealed record MyEmbedderOptions : PluginOptions
{
    [Description("Vector length (number of hash buckets).")]
    public int Dimension { get; init; } = 256;

    [Description("Characters per n-gram.")]
    public int NgramLength { get; init; } = 3;

    [Description("Fold texts to lower case before hashing.")]
    public bool Lowercase { get; init; } = true;

    public override IEnumerable<OptionError> Validate()
    {
        if (Dimension is < 1 or > 1 << 20) yield return new OptionError("dimension", $"must be in [1, 1048576], got {Dimension}.");
        if (NgramLength is < 1 or > 16) yield return new OptionError("ngramLength", $"must be in [1, 16], got {NgramLength}.");
    }
}

/// <summary>
/// An example embedder to replace with your own: character n-grams hashed into signed buckets (the hashing trick),
/// scaled to unit length. A text without content (null, empty or whitespace) gets the zero vector.
/// </summary>
[KpLabPlugin(PluginKind.Embedder, "my-embedder", Description = "Character n-grams hashed into a fixed-length unit vector.")]
public sealed class MyEmbedder(MyEmbedderOptions options) : IEmbedder
{
    /// <summary>The cache key: everything that changes the vectors (and nothing that does not). Bump "v1" when the algorithm changes.</summary>
    public string Identity { get; } =
        $"my-embedder/v1/d{options.Dimension}/n{options.NgramLength}/{(options.Lowercase ? "lower" : "cased")}";

    public int Dimension => options.Dimension;

    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int dimension = options.Dimension;
        var result = EmbeddingMatrix.Create(texts.Count, dimension, values =>
        {
            // Rows are independent, so texts are spread over the kernel's threads; each writes only its own row.
            var rows = new float[texts.Count * dimension];
            Parallel.For(0, texts.Count,
                new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken },
                i => Vector(texts[i], rows.AsSpan(i * dimension, dimension)));
            rows.CopyTo(values);
        });
        progress?.Report(new EmbeddingProgress(texts.Count, texts.Count));
        return result;
    }

    private void Vector(string? text, Span<float> row)
    {
        var content = (text ?? "").Trim();
        if (content.Length == 0) return;
        if (options.Lowercase) content = content.ToLowerInvariant();
        int n = Math.Min(options.NgramLength, content.Length);
        for (int start = 0; start + n <= content.Length; start++)
        {
            uint hash = Fnv1a(content.AsSpan(start, n));
            // The top bit picks the sign, so collisions cancel out on average instead of piling up.
            row[(int)(hash % (uint)row.Length)] += (hash & 0x80000000u) == 0 ? 1f : -1f;
        }
        VectorMath.L2Normalize(row);
    }

    private static uint Fnv1a(ReadOnlySpan<char> gram)
    {
        uint hash = 2166136261u;
        foreach (var ch in gram)
        {
            hash ^= ch;
            hash *= 16777619u;
        }
        return hash;
    }
}
