namespace KpLab.Abstractions.Tests;

public sealed class TypedMetricRowTests
{
    public sealed record LabelRow([property: MetricKey] string Label, long Size, int? Cluster, double F1, bool Discovered);

    public sealed record CellRow([property: MetricKey] string Label, [property: MetricKey] int Cluster, long Count);

    public sealed record NoKeyRow(int Size, double Value);

    public sealed record TextStatisticRow([property: MetricKey] string Label, string Note);

    private static MetricResult<LabelRow> Discoverability() => new("discoverability", 0.5,
        [new LabelRow("correct", 12, 3, 0.75, true), new LabelRow("wrong", 4, null, 0.0, false)]);

    [Fact]
    public void Legacy_rows_are_derived_from_typed_rows_with_camel_case_names_bools_as_0_1_and_null_as_NaN()
    {
        var result = Discoverability();

        Assert.Equal(typeof(LabelRow), result.RowType);
        Assert.True(result.Records[0].Discovered);
        Assert.Equal(["correct", "wrong"], result.Rows.Select(r => r.Key));
        Assert.Equal(["size", "cluster", "f1", "discovered"], result.Rows[0].Values.Keys);
        Assert.Equal([12.0, 3, 0.75, 1], result.Rows[0].Values.Values);
        Assert.Equal(1.0, result.Rows[0]["discovered"]);
        Assert.Equal(0.0, result.Rows[1]["discovered"]);
        Assert.True(double.IsNaN(result.Rows[1]["cluster"]));
        Assert.Equal(["key", "size", "cluster", "f1", "discovered"], result.ToTable().Columns);
    }

    [Fact]
    public void Cells_list_every_statistic_in_row_then_column_order()
    {
        var cells = Discoverability().Cells;

        Assert.Equal(8, cells.Count);
        Assert.Equal(new MetricCell("correct", "size", 12), cells[0]);
        Assert.Equal(new MetricCell("correct", "discovered", 1), cells[3]);
        Assert.Equal(new MetricCell("wrong", "discovered", 0), cells[7]);
        Assert.True(double.IsNaN(cells[5].Value));
    }

    [Fact]
    public void Cells_of_a_result_with_legacy_rows_come_from_those_rows()
    {
        var legacy = new MetricResult("old", 1.0)
        {
            Rows = [new MetricRow("a", new Dictionary<string, double> { ["x"] = 2, ["y"] = 3 })],
        };

        Assert.Null(legacy.RowType);
        Assert.Equal([new MetricCell("a", "x", 2), new MetricCell("a", "y", 3)], legacy.Cells);
        Assert.Empty(new MetricResult("none", 1.0).Cells);
    }

    [Fact]
    public void Several_key_properties_make_one_key()
    {
        var result = new MetricResult<CellRow>("contingency", 3, [new CellRow("a", -1, 2), new CellRow("a", 0, 1)]);

        Assert.Equal(["a, -1", "a, 0"], result.Rows.Select(r => r.Key));
        Assert.Equal(["count"], result.Rows[0].Values.Keys);
        Assert.Equal([new MetricColumn("label", "string", true), new MetricColumn("cluster", "int", true), new MetricColumn("count", "long", false)],
            MetricRowSchema.Columns(typeof(CellRow)));
    }

    [Fact]
    public void Setting_legacy_rows_on_a_typed_result_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new MetricResult<CellRow>("contingency", 0, [])
        {
            Rows = [new MetricRow("a", new Dictionary<string, double>())],
        });
        Assert.Contains("derived from its typed rows (CellRow)", e.Message);
    }

    [Fact]
    public void A_row_type_without_a_key_or_with_a_text_statistic_is_refused_by_name()
    {
        var noKey = Assert.Throws<ArgumentException>(() => new MetricResult<NoKeyRow>("m", 0, []));
        Assert.Contains("NoKeyRow has no [MetricKey] property", noKey.Message);
        var text = Assert.Throws<ArgumentException>(() => MetricRowSchema.Columns(typeof(TextStatisticRow)));
        Assert.Contains("property Note is of type System.String", text.Message);
    }

    [Theory]
    [InlineData("F1", "f1")]
    [InlineData("KnnAgreement", "knnAgreement")]
    [InlineData("Discovered", "discovered")]
    [InlineData("URLCount", "urlCount")]
    [InlineData("ID", "id")]
    public void Column_names_are_camel_case(string property, string column) =>
        Assert.Equal(column, MetricRowSchema.ColumnName(property));

    [Fact]
    public void A_typed_metric_answers_through_the_untyped_interface()
    {
        IMetric metric = new TypedMetric();

        var result = metric.Evaluate(new EvaluationInput());

        Assert.IsType<MetricResult<LabelRow>>(result);
        Assert.Equal(["correct", "wrong"], result.Rows.Select(r => r.Key));
    }

    private sealed class TypedMetric : IMetric<LabelRow>
    {
        public MetricResult<LabelRow> Evaluate(EvaluationInput input) => Discoverability();
    }
}
