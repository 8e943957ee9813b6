using KpLab.Abstractions;
using KpLab.TestPlugins.SharedDep;

namespace KpLab.TestPlugins.SharedV2;

/// <summary>Reports, through its identity, the version of the shared library it sees at run time.</summary>
[KpLabPlugin(PluginKind.Embedder, "test-shared-v2", Description = "Reports the SharedDep version it loaded.")]
public sealed class SharedDepEmbedder : IEmbedder
{
    public string Identity => $"shared-dep {SharedDependency.LoadedVersion}";

    public int Dimension => 1;

    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        EmbeddingMatrix.Create(texts.Count, 1, values => values.Fill(2));
}
