using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.TestPlugins.Basic;

public sealed record FirstColumnsOptions : PluginOptions
{
    [Description("Number of leading columns kept.")]
    public int Columns { get; init; } = 1;
}

/// <summary>Keeps each row's first columns: the smallest reducer, an options record and no context.</summary>
[KpLabPlugin(PluginKind.Reducer, "test-first-columns", Description = "Keeps the leading columns.")]
public sealed class FirstColumnsReducer(FirstColumnsOptions options) : IReducer
{
    public string Identity => $"test-first-columns(columns={options.Columns})";

    public int OutputDimension => options.Columns;

    public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
        new Model(data.Columns, options.Columns, Keep(data, options.Columns));

    private static EmbeddingMatrix Keep(EmbeddingMatrix data, int columns) => EmbeddingMatrix.Create(data.Rows, columns, values =>
    {
        for (int i = 0; i < data.Rows; i++) data.Row(i)[..columns].CopyTo(values.Slice(i * columns, columns));
    });

    private sealed record Model(int InputDimension, int OutputDimension, EmbeddingMatrix Embedding) : IReducerModel
    {
        public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default) => Keep(data, OutputDimension);
    }
}
