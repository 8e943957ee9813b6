using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Umap;

/// <summary>A fitted UMAP: the layout of the training rows, their fuzzy graph, and a way to place new rows.</summary>
public sealed class UmapModel : IReducerModel
{
    private readonly UmapReducer _reducer;
    private readonly UmapOptions _options;
    private readonly EmbeddingMatrix _training;

    internal UmapModel(UmapReducer reducer, UmapOptions options, EmbeddingMatrix training, FuzzyGraph graph, EmbeddingMatrix embedding)
    {
        _reducer = reducer;
        _options = options;
        _training = training;
        Graph = graph;
        Embedding = embedding;
    }

    /// <inheritdoc />
    public int InputDimension => _training.Columns;

    /// <inheritdoc />
    public int OutputDimension => Embedding.Columns;

    /// <inheritdoc />
    public EmbeddingMatrix Embedding { get; }

    /// <summary>The symmetric fuzzy simplicial set of the training rows (umap-learn's <c>graph_</c>).</summary>
    public FuzzyGraph Graph { get; }

    /// <summary>The curve parameters a and b the layout used.</summary>
    public (double A, double B) Curve => _reducer.Curve;

    /// <summary>
    /// Places new rows as umap-learn's <c>transform</c> does: each row's nearest training rows, their memberships
    /// (local connectivity reduced by one), the weighted mean of their positions, then a third of the epochs of SGD
    /// (100 for at most 10,000 new rows, else 30, when epochs is not set) against the fixed training layout at a quarter
    /// of the learning rate. Deterministic for a seed and a thread count.
    /// </summary>
    public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != InputDimension)
            throw new ArgumentException($"umap: the model was fitted on {InputDimension} columns; the new rows have {data.Columns}.", nameof(data));
        data.ThrowIfNonFinite("umap");
        int m = data.Rows, dim = OutputDimension, n = _training.Rows;
        if (m == 0) return EmbeddingMatrix.Create(0, dim, _ => { });
        int k = Math.Min(_options.NNeighbors, n);
        var neighbours = NearestNeighbors.Search(data.Values, _training.Values, data.Columns, k, UmapReducer.Measure(_options.Metric));
        var indices = ((int[])neighbours.Indices).AsSpan();
        var distances = ((float[])neighbours.Distances).AsSpan();
        var (sigmas, rhos) = FuzzySimplicialSet.SmoothKnnDistances(distances, k, Math.Max(0, _options.LocalConnectivity - 1));
        var graph = FuzzySimplicialSet.Memberships(indices, distances, k, n, sigmas, rhos, bipartite: true);

        var trained = Embedding.ToArray();
        var placed = new float[m * dim];
        for (int i = 0; i < m; i++)
        {
            double total = 0;
            for (int e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++) total += graph.Weights[e];
            for (int e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
            {
                int j = graph.Columns[e];
                if (graph.Weights[e] == 1f && total == 1f)
                {
                    Array.Copy(trained, j * dim, placed, i * dim, dim);
                    break;
                }
                for (int d = 0; d < dim; d++) placed[i * dim + d] += (float)(graph.Weights[e] / total * trained[j * dim + d]);
            }
        }
        int epochs = _options.Epochs is int set ? Math.Max(1, set / 3) : (m <= 10_000 ? 100 : 30);
        var (a, b) = Curve;
        new LayoutOptimizer(a, b, _options.RepulsionStrength, _options.NegativeSampleRate).Optimize(placed, trained, dim, n,
            LayoutEdges.From(graph, epochs), epochs, _options.LearningRate / 4, moveOther: false, UmapReducer.Threads,
            _reducer.SeedFor("transform"), cancellationToken);
        return EmbeddingMatrix.FromValues(m, dim, placed);
    }
}
