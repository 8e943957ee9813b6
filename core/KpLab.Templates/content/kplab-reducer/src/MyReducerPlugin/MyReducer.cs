using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace MyReducerPlugin;

/// <summary>Options of <c>my-reducer</c>: typed, with defaults and descriptions that <c>kplab plugins</c> lists.</summary>
public sealed record MyReducerOptions : PluginOptions
{
    [Description("Number of output dimensions.")]
    public int Components { get; init; } = 2;

    /// <inheritdoc />
    public override IEnumerable<OptionError> Validate()
    {
        if (Components < 1) yield return new OptionError("components", $"must be at least 1, got {Components}.");
    }
}

/// <summary>
/// A Gaussian random projection (Johnson–Lindenstrauss): each output column is the dot product of the row with a
/// random direction drawn from the run's seed, scaled by 1/√components so that distances are kept on average.
/// </summary>
[KpLabPlugin(PluginKind.Reducer, "my-reducer", Description = "Gaussian random projection to a few dimensions, seeded by the run.")]
public sealed class MyReducer(MyReducerOptions options, PluginContext context) : IReducer
{
    /// <inheritdoc />
    public string Identity => $"my-reducer/1(components={options.Components})";

    /// <inheritdoc />
    public int OutputDimension => options.Components;

    /// <inheritdoc />
    public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.ThrowIfNonFinite("my-reducer");
        var random = context.Random.CreateRandom("my-reducer");
        var directions = new float[options.Components * data.Columns];
        for (int i = 0; i < directions.Length; i++)
        {
            // Box–Muller: a standard normal from two uniforms.
            double u = 1.0 - random.NextDouble(), v = random.NextDouble();
            directions[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v) / Math.Sqrt(options.Components));
        }
        var model = new Projection(data.Columns, options.Components, directions);
        return model with { Embedding = model.Transform(data, cancellationToken) };
    }

    /// <summary>The fitted projection: <c>Directions</c> is components × input dimension, row-major.</summary>
    private sealed record Projection(int InputDimension, int OutputDimension, float[] Directions) : IReducerModel
    {
        public EmbeddingMatrix Embedding { get; init; } = null!;

        public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (data.Columns != InputDimension)
                throw new ArgumentException($"my-reducer: fitted on {InputDimension} columns, the new rows have {data.Columns}.", nameof(data));
            data.ThrowIfNonFinite("my-reducer");
            return EmbeddingMatrix.Create(data.Rows, OutputDimension, values =>
            {
                for (int i = 0; i < data.Rows; i++)
                    for (int c = 0; c < OutputDimension; c++)
                        values[i * OutputDimension + c] = VectorMath.Dot(data.Row(i), Directions.AsSpan(c * InputDimension, InputDimension));
            });
        }
    }
}
