namespace KpLab.Abstractions.Tests;

public sealed class PartitionOutputTests
{
    private static readonly EmbeddingMatrix TwoCentres = EmbeddingMatrix.FromValues(2, 1, [0f, 1f]);

    [Fact]
    public void Typed_outputs_also_appear_in_the_legacy_extras_under_their_keys()
    {
        var tree = new MergeTree(3, [new Merge(0, 1, 0.5, 2), new Merge(2, 3, 1.0, 3)]);
        var condensed = new CondensedTree(3, [new CondensedTreeEdge(3, 0, 1.5, 1), new CondensedTreeEdge(3, 1, 2.0, 1)]);
        double[] core = [0.1, 0.2, 0.3];
        var p = new Partition([0, 0, 1])
        {
            Centroids = TwoCentres, Inertia = 2.5, Iterations = 7, MergeTree = tree, CondensedTree = condensed, CoreDistances = core,
            Extras = new Dictionary<string, object> { ["custom"] = "kept", ["inertia"] = 99.0 },
        };

        Assert.Same(TwoCentres, p.Extra<EmbeddingMatrix>("centroids"));
        Assert.Equal(2.5, p.Extra<double>("inertia")); // the typed value wins
        Assert.Equal(7, p.Extra<int>("iterations"));
        Assert.Same(tree, p.Extra<MergeTree>("mergeTree"));
        Assert.Same(core, p.Extra<double[]>("coreDistances"));
        Assert.Equal("kept", p.Extras["custom"]);
        var table = p.Extra<ResultTable>("condensedTree")!;
        Assert.Equal(["parent", "child", "lambda", "size"], table.Columns);
        Assert.Equal([1.5, 2.0], table.Column("lambda").Cast<double>());
    }

    [Fact]
    public void A_partition_from_a_contracts_2_0_plugin_reads_its_extras_through_the_typed_properties()
    {
        var tree = new MergeTree(2, [new Merge(0, 1, 0.5, 2)]);
        var p = new Partition([0, 1])
        {
            Extras = new Dictionary<string, object>
            {
                ["centroids"] = TwoCentres, ["inertia"] = 1.25,
                ["iterations"] = 4, ["mergeTree"] = tree,
                ["coreDistances"] = new[] { 0.5, 0.25 },
            },
        };

        Assert.Same(TwoCentres, p.Centroids);
        Assert.Equal(1.25, p.Inertia);
        Assert.Equal(4, p.Iterations);
        Assert.Same(tree, p.MergeTree);
        Assert.Equal([0.5, 0.25], p.CoreDistances!);
        Assert.Null(p.CondensedTree);
    }

    [Fact]
    public void Absent_outputs_are_null_and_core_distances_must_cover_every_row()
    {
        var p = new Partition([0, 1]);
        Assert.Null(p.Inertia);
        Assert.Null(p.Iterations);
        Assert.Null(p.Centroids);
        Assert.Empty(p.Extras);
        Assert.Throws<ArgumentException>(() => new Partition([0, 1]) { CoreDistances = [1.0] });
    }
}
