using KpLab.Abstractions;

namespace KpLab.TestPlugins.Basic;

/// <summary>Embeds a text as its length: a parameterless constructor.</summary>
[KpLabPlugin(PluginKind.Embedder, "test-length", Description = "One dimension: the text's length.")]
public sealed class TextLengthEmbedder : IEmbedder
{
    public string Identity => "test-length";

    public int Dimension => 1;

    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        EmbeddingMatrix.Create(texts.Count, 1, values =>
        {
            for (int i = 0; i < texts.Count; i++) values[i] = texts[i]?.Length ?? 0;
        });
}
