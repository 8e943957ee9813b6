using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Hosting.Tests;

public enum Linkage { Ward, Average }

public sealed record SampleOptions : PluginOptions
{
    [Description("Number of clusters.")] public int K { get; init; } = 8;
    [Description("Tolerance.")] public double Tol { get; init; } = 1e-4;
    [Description("Linkage.")] public Linkage Linkage { get; init; } = Linkage.Ward;
    [Description("Optional seed.")] public int? Seed { get; init; }
    [Description("Order.")] public string[] Order { get; init; } = [];

    public override IEnumerable<OptionError> Validate()
    {
        if (K < 1) yield return new OptionError("k", $"must be at least 1, got {K}.");
    }
}

public sealed class OptionsBinderTests
{
    [Fact]
    public void Binds_anonymous_object_with_numeric_widening()
    {
        var o = OptionsBinder.Bind<SampleOptions>(new { k = 3, tol = 1, linkage = "average" }, "sample");
        Assert.Equal(new SampleOptions { K = 3, Tol = 1.0, Linkage = Linkage.Average }, o with { Order = o.Order });
    }

    [Fact]
    public void Binds_dictionary_and_yaml_with_snake_case_names()
    {
        var d = OptionsBinder.Bind<SampleOptions>(new Dictionary<string, object?> { ["K"] = 5L, ["seed"] = null }, "sample");
        Assert.Equal(5, d.K);
        var y = OptionsBinder.Bind<SampleOptions>("k: 4\ntol: 0.5\norder: [correct, wrong]\nseed: 9\n", "sample");
        Assert.Equal((4, 0.5, 9), (y.K, y.Tol, y.Seed));
        Assert.Equal(["correct", "wrong"], y.Order);
    }

    [Fact]
    public void Unknown_option_names_plugin_and_lists_options()
    {
        var e = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<SampleOptions>(new { kk = 3 }, "sample"));
        Assert.Equal(("sample", "kk"), (e.Plugin, e.Option));
        Assert.Contains("k, tol, linkage, seed, order", e.Message);
    }

    [Fact]
    public void Wrong_type_names_the_expected_type()
    {
        var e = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<SampleOptions>(new { k = "many" }, "sample"));
        Assert.Contains("option 'k'", e.Message);
        Assert.Contains("expects int", e.Message);
        var f = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<SampleOptions>(new { k = 2.5 }, "sample"));
        Assert.Contains("not a whole number", f.Message);
        var g = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<SampleOptions>(new { linkage = "centroid" }, "sample"));
        Assert.Contains("ward, average", g.Message);
    }

    [Fact]
    public void Validation_error_names_the_option()
    {
        var e = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<SampleOptions>(new { k = 0 }, "sample"));
        Assert.Equal("k", e.Option);
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void Describe_lists_types_defaults_and_descriptions()
    {
        var d = OptionsBinder.Describe(typeof(SampleOptions));
        Assert.Equal(
            [new OptionDescriptor("k", "int", "8", "Number of clusters."),
             new OptionDescriptor("tol", "double", "0.0001", "Tolerance."),
             new OptionDescriptor("linkage", "Linkage (ward|average)", "ward", "Linkage."),
             new OptionDescriptor("seed", "int?", "null", "Optional seed."),
             new OptionDescriptor("order", "string[]", "[]", "Order.")],
            d);
    }

    [Fact]
    public void Describe_reads_defaults_without_running_the_options_record()
    {
        // ExplodingOptions' static constructor throws: any code of the record running here would fail the test.
        var d = OptionsBinder.Describe(typeof(ExplodingOptions)).ToDictionary(o => o.Name, o => o.Default);

        Assert.Equal(new Dictionary<string, string>
        {
            ["count"] = "12", ["ratio"] = "0.5", ["scale"] = "2.5", ["big"] = "5000000000", ["small"] = "10", ["flag"] = "true",
            ["letter"] = "x", ["name"] = "\"alpha\"", ["nothing"] = "null", ["maybe"] = "3", ["mode"] = "average",
            ["unset"] = "0", ["cores"] = OptionsBinder.ComputedDefault, ["weights"] = OptionsBinder.ComputedDefault,
            ["negative"] = "-1",
        }, d);
        // The record's code really would have failed had it run.
        Assert.Throws<TypeInitializationException>(() => new ExplodingOptions());
    }

    [Fact]
    public void A_constructor_body_makes_defaults_without_initializers_unknown()
    {
        var d = OptionsBinder.Describe(typeof(BodyOptions)).ToDictionary(o => o.Name, o => o.Default);

        Assert.Equal("4", d["fromInitializer"]);
        Assert.Equal(OptionsBinder.ComputedDefault, d["fromBody"]);
        Assert.Equal(7, new BodyOptions().FromBody);
    }

    [Fact]
    public void Defaults_of_a_base_record_are_read_from_its_own_constructor()
    {
        var d = OptionsBinder.Describe(typeof(DerivedOptions)).ToDictionary(o => o.Name, o => o.Default);

        Assert.Equal(("9", "\"base\""), (d["extra"], d["shared"]));
    }

}

/// <summary>Options whose static constructor would throw; Describe must read them without running it.</summary>
public sealed record ExplodingOptions : PluginOptions
{
    static ExplodingOptions() => throw new InvalidOperationException("the options record ran");

    [Description("c")] public int Count { get; init; } = 12;
    [Description("r")] public double Ratio { get; init; } = 0.5;
    [Description("s")] public float Scale { get; init; } = 2.5f;
    [Description("b")] public long Big { get; init; } = 5_000_000_000;
    [Description("l")] public long Small { get; init; } = 10;
    [Description("f")] public bool Flag { get; init; } = true;
    [Description("x")] public char Letter { get; init; } = 'x';
    [Description("n")] public string Name { get; init; } = "alpha";
    [Description("z")] public string? Nothing { get; init; } = null;
    [Description("m")] public int? Maybe { get; init; } = 3;
    [Description("k")] public Linkage Mode { get; init; } = Linkage.Average;
    [Description("u")] public int Unset { get; init; }
    [Description("p")] public int Cores { get; init; } = Environment.ProcessorCount;
    [Description("w")] public double[] Weights { get; init; } = [1, 2];
    [Description("g")] public int Negative { get; init; } = -1;
}

public sealed record BodyOptions : PluginOptions
{
    public BodyOptions() => FromBody = 7;

    [Description("i")] public int FromInitializer { get; init; } = 4;
    [Description("b")] public int FromBody { get; init; }
}

public abstract record BaseOptions : PluginOptions
{
    [Description("s")] public string Shared { get; init; } = "base";
}

public sealed record DerivedOptions : BaseOptions
{
    [Description("e")] public int Extra { get; init; } = 9;
}
