using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Scripting;

namespace KpLab.Scripting.Tests;

/// <summary>Embeds a text as [length, vowel count, 1]; counts what it is asked to embed.</summary>
public sealed class FakeEmbedder(int dimension = 3, bool? dependsOnBatch = null) : IEmbedder
{
    public string Identity => $"fake-embedder/v1/dim={dimension}";
    public int Dimension => dimension;
    public bool DependsOnBatch => dependsOnBatch ?? dimension == 0;
    public List<string?[]> Calls { get; } = [];

    public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(texts.ToArray());
        int columns = dimension == 0 ? 2 : dimension;
        return EmbeddingMatrix.Create(texts.Count, columns, span =>
        {
            for (int i = 0; i < texts.Count; i++)
            {
                var t = texts[i] ?? "";
                var row = span.Slice(i * columns, columns);
                row.Clear();
                row[0] = t.Length;
                row[1] = t.Count("aeiou".Contains);
                if (columns > 2) row[2] = dimension == 0 ? texts.Count : 1;
            }
        });
    }
}

public sealed record ThresholdOptions : PluginOptions
{
    [Description("Rows with a first value at least this are cluster 1.")]
    public double Threshold { get; init; } = 5;

    [Description("Smallest cluster.")]
    public int MinClusterSize { get; init; } = 1;

    public override IEnumerable<OptionError> Validate()
    {
        if (MinClusterSize < 1) yield return new OptionError("minClusterSize", $"must be at least 1, got {MinClusterSize}");
    }
}

/// <summary>Cluster 1 when the first value reaches the threshold, else 0; noise (-1) for NaN.</summary>
public sealed partial class ThresholdClusterer(ThresholdOptions options, PluginContext context) : IClusterer
{
    public PluginContext Context { get; } = context;

    /// <summary>What the last <see cref="Fit"/> saw: its token and the kernels' degree in force.</summary>
    public (CancellationToken Token, int Degree, CancellationToken KernelToken)? LastFit { get; private set; }

    public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        LastFit = (cancellationToken, KpLab.Kernels.KernelParallelism.Current, KpLab.Kernels.KernelParallelism.Cancellation);
        return new(Enumerable.Range(0, data.Rows).Select(i => data[i, 0] >= options.Threshold ? 1 : 0).ToArray())
        {
            Probabilities = Enumerable.Repeat(1.0, data.Rows).ToArray(),
        };
    }
}

/// <summary>Fraction of rows whose predicted cluster equals the truth code.</summary>
public sealed class AgreementMetric : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        int n = input.RequireSameLength("agreement");
        var p = input.RequirePredicted("agreement");
        var t = input.RequireTruth("agreement");
        double same = Enumerable.Range(0, n).Count(i => p.Labels[i] == t.Codes[i]);
        return new MetricResult("agreement", same / n)
        {
            Rows = t.Names.Select((name, c) => new MetricRow(name, new Dictionary<string, double> { ["count"] = t.Codes.Count(x => x == c) })).ToArray(),
        };
    }
}

/// <summary>A plugin source with the three fakes; records every context it hands out.</summary>
/// <summary>Keeps the first column of every row; records the token and kernel scope of its last fit.</summary>
public sealed class FirstColumnReducer : IReducer
{
    public string Identity => "first-column/v1";
    public int OutputDimension => 1;
    public (CancellationToken Token, int Degree, CancellationToken KernelToken)? LastFit { get; private set; }

    public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
    {
        LastFit = (cancellationToken, KpLab.Kernels.KernelParallelism.Current, KpLab.Kernels.KernelParallelism.Cancellation);
        return new Model(data.Columns, Transform(data));
    }

    private static EmbeddingMatrix Transform(EmbeddingMatrix data) =>
        EmbeddingMatrix.Create(data.Rows, 1, span => { for (int i = 0; i < data.Rows; i++) span[i] = data.Row(i)[0]; });

    private sealed class Model(int inputDimension, EmbeddingMatrix embedding) : IReducerModel
    {
        public int InputDimension => inputDimension;
        public int OutputDimension => 1;
        public EmbeddingMatrix Embedding => embedding;
        public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default) => FirstColumnReducer.Transform(data);
    }
}

public sealed class FakePluginSource : IPluginSource
{
    public FirstColumnReducer Reducer { get; } = new();

    public FakeEmbedder Embedder { get; } = new();
    public List<PluginContext> Contexts { get; } = [];
    public List<ThresholdClusterer> Clusterers { get; } = [];

    public IReadOnlyList<PluginDescriptor> Plugins { get; } =
    [
        Describe(PluginKind.Embedder, "fake-embed", typeof(NoOptions)),
        Describe(PluginKind.Clusterer, "threshold", typeof(ThresholdOptions)),
        Describe(PluginKind.Metric, "agreement", typeof(NoOptions)),
        Describe(PluginKind.Reducer, "first-column", typeof(NoOptions)),
    ];

    public IReadOnlyList<PluginLoadError> Errors { get; init; } = [];

    public PluginDescriptor Find(PluginKind kind, string name) =>
        Plugins.FirstOrDefault(p => p.Kind == kind && p.Name == name)
        ?? throw new UnknownPluginException(kind, name, Plugins.Where(p => p.Kind == kind).Select(p => p.Name).ToArray());

    public PluginInstance Create(PluginKind kind, string name, object? options, PluginContext context)
    {
        var descriptor = Find(kind, name);
        var bound = OptionsBinder.Bind(name == "threshold" ? typeof(ThresholdOptions) : typeof(NoOptions), options, name);
        Contexts.Add(context);
        object plugin = name switch
        {
            "fake-embed" => Embedder,
            "threshold" => Track(new ThresholdClusterer((ThresholdOptions)bound, context)),
            "first-column" => Reducer,
            _ => new AgreementMetric(),
        };
        return new PluginInstance(descriptor, bound, plugin);
    }

    private ThresholdClusterer Track(ThresholdClusterer clusterer)
    {
        lock (Clusterers) Clusterers.Add(clusterer);
        return clusterer;
    }

    private static PluginDescriptor Describe(PluginKind kind, string name, Type options) =>
        new(kind, name, "9.9.9", $"The fake {name}.", $"/plugins/{name}.dll", new string('a', 64), PluginOrigin.Bundled,
            options.FullName!, OptionsBinder.Describe(options));
}
