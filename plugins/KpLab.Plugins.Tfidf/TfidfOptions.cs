using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.Tfidf;

/// <summary>What the n-grams are made of (scikit-learn's <c>analyzer</c>).</summary>
public enum TfidfAnalyzer
{
    /// <summary>Word n-grams of the tokens matched by <c>(?u)\b\w\w+\b</c>.</summary>
    Word,

    /// <summary>Character n-grams over the whole text (runs of whitespace collapsed to one space).</summary>
    Char,

    /// <summary>Character n-grams inside words, each word padded with one space on both sides.</summary>
    CharWb,
}

/// <summary>How each row is scaled at the end (scikit-learn's <c>norm</c>).</summary>
public enum TfidfNorm
{
    /// <summary>Unit Euclidean length.</summary>
    L2,

    /// <summary>Unit sum of absolute values.</summary>
    L1,

    /// <summary>No scaling.</summary>
    None,
}

/// <summary>
/// Options of <see cref="TfidfEmbedder"/>; names and defaults follow scikit-learn 1.2.1's <c>TfidfVectorizer</c>.
/// <c>minDf</c>/<c>maxDf</c> are one number each: a value in [0, 1) (minDf) or [0, 1] (maxDf) is a proportion of the
/// texts, a larger value is a document count (so maxDf = 1 means sklearn's float 1.0 and minDf = 1 sklearn's int 1).
/// </summary>
public sealed record TfidfOptions : PluginOptions
{
    [Description("word | char | charWb (sklearn analyzer 'word', 'char', 'char_wb').")]
    public TfidfAnalyzer Analyzer { get; init; } = TfidfAnalyzer.Word;

    [Description("Smallest n of the n-grams (sklearn ngram_range[0]).")]
    public int NgramMin { get; init; } = 1;

    [Description("Largest n of the n-grams (sklearn ngram_range[1]).")]
    public int NgramMax { get; init; } = 1;

    [Description("Lower-case the text first, as Python's str.lower().")]
    public bool Lowercase { get; init; } = true;

    [Description("Ignore features in fewer texts: a proportion if < 1, else a document count.")]
    public double MinDf { get; init; } = 1;

    [Description("Ignore features in more texts: a proportion if <= 1, else a document count.")]
    public double MaxDf { get; init; } = 1.0;

    [Description("Keep only the most frequent features (by total count, sklearn's tie rule); null keeps all.")]
    public int? MaxFeatures { get; init; }

    [Description("Count presence (0/1) instead of occurrences.")]
    public bool Binary { get; init; }

    [Description("Weight by inverse document frequency.")]
    public bool UseIdf { get; init; } = true;

    [Description("Add one to document frequencies, as if a text held every feature once (no zero divisions).")]
    public bool SmoothIdf { get; init; } = true;

    [Description("Replace tf by 1 + ln(tf).")]
    public bool SublinearTf { get; init; }

    [Description("Row normalisation: l2 | l1 | none.")]
    public TfidfNorm Norm { get; init; } = TfidfNorm.L2;

    [Description("LSA: project onto this many leading singular directions (truncated SVD, U·Σ); 0 keeps the sparse TF-IDF columns densely.")]
    public int Components { get; init; }

    [Description("Without LSA, refuse vocabularies wider than this (the dense n × |vocabulary| output would be too large); use maxFeatures or components.")]
    public int MaxDenseColumns { get; init; } = 50_000;

    public override IEnumerable<OptionError> Validate()
    {
        if (NgramMin < 1) yield return new("ngramMin", $"must be at least 1, got {NgramMin}");
        if (NgramMax < NgramMin) yield return new("ngramMax", $"must be at least ngramMin ({NgramMin}), got {NgramMax}");
        if (!(MinDf >= 0) || (MinDf >= 1 && MinDf != Math.Floor(MinDf)) || double.IsInfinity(MinDf))
            yield return new("minDf", $"must be a proportion in [0, 1) or a whole document count, got {MinDf}");
        if (!(MaxDf >= 0) || (MaxDf > 1 && MaxDf != Math.Floor(MaxDf)) || double.IsInfinity(MaxDf))
            yield return new("maxDf", $"must be a proportion in [0, 1] or a whole document count, got {MaxDf}");
        if (MaxFeatures is < 1) yield return new("maxFeatures", $"must be at least 1 or null, got {MaxFeatures}");
        if (Components < 0) yield return new("components", $"must be 0 (no LSA) or positive, got {Components}");
        if (MaxDenseColumns < 1) yield return new("maxDenseColumns", $"must be positive, got {MaxDenseColumns}");
    }
}
