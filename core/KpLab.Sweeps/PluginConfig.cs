using KpLab.Abstractions;

namespace KpLab.Sweeps;

/// <summary>
/// One distinct plugin configuration of a sweep: the plugin (kind, name, version, assembly hash) with its bound
/// options. Its <see cref="OptionsHash"/> and <see cref="Version"/> enter the id of every trial that uses it.
/// </summary>
/// <param name="Kind">Embedder, clusterer or metric.</param>
/// <param name="Name">The plugin's script name, e.g. "agglomerative".</param>
/// <param name="Label">How result rows name it, e.g. "ward" (the name unless the script gave a label).</param>
/// <param name="Version">The plugin's version.</param>
/// <param name="AssemblySha256">SHA-256 of its assembly.</param>
/// <param name="OptionsJson">The bound options as JSON (every option, defaults included).</param>
/// <param name="OptionsHash">SHA-256 of <paramref name="OptionsJson"/>.</param>
/// <param name="OptionsText">The options the script gave, as "k=3, nInit=10" (empty when none).</param>
public sealed record PluginConfig(PluginKind Kind, string Name, string Label, string Version, string AssemblySha256,
    string OptionsJson, string OptionsHash, string OptionsText)
{
    /// <summary>The options object the script gave (what the host creates the plugin from).</summary>
    public object? Options { get; init; }

    /// <summary>
    /// The relative cost of a trial with this embedder, which shard plans weigh each trial's rows by (1 unless declared:
    /// <c>.Embedder("minilm", cost: 8)</c>). It balances <c>kplab run --shard</c> and is not part of any trial id.
    /// </summary>
    public double Cost { get; init; } = 1;

    /// <summary>
    /// The fields that identify it in a trial id. The label is one: the same configuration declared under two labels
    /// (k-means with k = the unit's label count, and again in a k grid) gives two trials whose rows stay apart.
    /// </summary>
    internal IEnumerable<string> IdentityFields() => [Kind.ToString(), Name, Version, OptionsHash, Label];

    /// <inheritdoc />
    public override string ToString() => OptionsText.Length == 0 ? Label : $"{Label} ({OptionsText})";
}

/// <summary>What a clusterer sees of the embeddings.</summary>
public enum RowTransform
{
    /// <summary>The embeddings as they are.</summary>
    None,

    /// <summary>
    /// Rows scaled to unit length: Euclidean distance then ranks neighbours as cosine does, and stays defined for zero
    /// rows (e.g. a TF-IDF answer with no vocabulary word), where cosine is not.
    /// </summary>
    Normalize,
}
