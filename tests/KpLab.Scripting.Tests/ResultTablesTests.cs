using KpLab.Abstractions;

namespace KpLab.Scripting.Tests;

public sealed class ResultTablesTests
{
    private sealed record Score(string Name, double Value);

    [Fact]
    public void ColumnsComeFromPropertiesFieldsOrKeys()
    {
        var records = ResultTables.FromRows("r", new[] { new Score("a, b", 0.1), new Score("q\"x", double.NaN) });
        Assert.Equal(["Name", "Value"], records.Columns);
        Assert.Equal("Name,Value\n\"a, b\",0.1\n\"q\"\"x\",NaN\n", ResultTables.ToCsv(records));

        var tuples = ResultTables.FromRows("t", new[] { (k: 1, v: "one") });
        Assert.Equal(["Item1", "Item2"], tuples.Columns);

        var dictionaries = ResultTables.FromRows("d", new[]
        {
            new Dictionary<string, object?> { ["x"] = 1 },
            new Dictionary<string, object?> { ["y"] = true, ["x"] = 2 },
        });
        Assert.Equal("x,y\n1,\n2,true\n", ResultTables.ToCsv(dictionaries));
        Assert.Equal("value\n1.5\n2\n", ResultTables.ToCsv(ResultTables.FromRows("v", new[] { 1.5, 2.0 })));
    }
}
