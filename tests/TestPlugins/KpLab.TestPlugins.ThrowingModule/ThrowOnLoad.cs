using System.Runtime.CompilerServices;
using KpLab.Abstractions;

namespace KpLab.TestPlugins.ThrowingModule;

internal static class Module
{
#pragma warning disable CA2255 // A module initializer in a library is exactly the hostile behaviour under test.
    [ModuleInitializer]
    internal static void Fail() => throw new FileNotFoundException("licence.key not found beside the plugin");
#pragma warning restore CA2255
}

[KpLabPlugin(PluginKind.Embedder, "test-throw-on-load", Description = "Its module initializer throws.")]
public sealed class ThrowOnLoadEmbedder : IEmbedder
{
    public string Identity => "throw-on-load";

    public int Dimension => 1;

    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default) => EmbeddingMatrix.Create(texts.Count, 1, v => v.Clear());
}
