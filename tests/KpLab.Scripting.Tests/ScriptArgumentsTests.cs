using System.ComponentModel;
using KpLab.Cli;

namespace KpLab.Scripting.Tests;

public enum Linkage { Ward, Average, SingleLink }

/// <summary>A script's arguments as a positional record: defaults from the parameters.</summary>
public sealed record SweepArguments(
    [property: Description("Smallest number of answers a question needs.")] int MinAnswers = 60,
    [Description("Largest k tried.")] int KMax = 10,
    double Threshold = 0.5,
    bool Verbose = false,
    Linkage Linkage = Linkage.Ward,
    string? OnnxModel = null)
{
    /// <summary>A list with an initializer default.</summary>
    [Description("Embedders to compare.")]
    public string[] Embedders { get; init; } = ["use-lite", "tfidf"];

    /// <summary>Computed: not an argument.</summary>
    public int Twice => KMax * 2;
}

public sealed record RequiredArguments(string Dataset, int[]? Seeds = null);

public sealed class ScriptArgumentsTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    private static SweepArguments Bind(params string[] args) => (SweepArguments)ScriptArguments.For(typeof(SweepArguments)).Bind(args);

    [Fact]
    public void Defaults_come_from_the_record_and_flags_are_kebab_case()
    {
        var none = Bind();
        Assert.Equal((60, 10, 0.5, false, Linkage.Ward, (string?)null), (none.MinAnswers, none.KMax, none.Threshold, none.Verbose, none.Linkage, none.OnnxModel));
        Assert.Equal(["use-lite", "tfidf"], none.Embedders);
        Assert.Equal(["--min-answers", "--k-max", "--threshold", "--verbose", "--linkage", "--onnx-model", "--embedders"],
            ScriptArguments.For(typeof(SweepArguments)).Names);
        Assert.Equal("http-port", ScriptArguments.KebabCase("HTTPPort"));
        Assert.Equal("k-max", ScriptArguments.KebabCase("KMax"));
        Assert.Equal("top10-words", ScriptArguments.KebabCase("Top10Words"));
    }

    [Fact]
    public void Every_value_kind_binds()
    {
        var bound = Bind("--min-answers", "80", "--k-max=12", "--threshold", "-0.25", "--verbose", "--linkage", "single-link",
            "--onnx-model", "m.onnx", "--embedders", "glove", "minilm", "--embedders", "tfidf");
        Assert.Equal(80, bound.MinAnswers);
        Assert.Equal(12, bound.KMax);
        Assert.Equal(-0.25, bound.Threshold);
        Assert.True(bound.Verbose);
        Assert.Equal(Linkage.SingleLink, bound.Linkage);
        Assert.Equal("m.onnx", bound.OnnxModel);
        Assert.Equal(["glove", "minilm", "tfidf"], bound.Embedders);
        Assert.False(Bind("--verbose", "false").Verbose);
        Assert.Equal(Linkage.Average, Bind("--linkage", "AVERAGE").Linkage);

        var required = (RequiredArguments)ScriptArguments.For(typeof(RequiredArguments)).Bind(["--dataset", "x", "--seeds", "1", "2", "3"]);
        Assert.Equal("x", required.Dataset);
        Assert.Equal([1, 2, 3], required.Seeds!);
    }

    [Theory]
    [InlineData(new[] { "--min-answer", "80" }, "Unknown script argument --min-answer; did you mean --min-answers?")]
    [InlineData(new[] { "--kmax", "3" }, "Unknown script argument --kmax; did you mean --k-max?")]
    [InlineData(new[] { "--frobnicate" }, "Unknown script argument --frobnicate Known: --min-answers, --k-max,")]
    [InlineData(new[] { "--min-answers", "eighty" }, "Script argument --min-answers expects an integer (int), got 'eighty'.")]
    [InlineData(new[] { "--threshold", "0,5" }, "Script argument --threshold expects a number (double), got '0,5'.")]
    [InlineData(new[] { "--linkage", "complete" }, "Script argument --linkage expects one of ward, average, single-link, got 'complete'.")]
    [InlineData(new[] { "--k-max" }, "Script argument --k-max needs a value (int).")]
    [InlineData(new[] { "--k-max", "3", "--k-max", "4" }, "Script argument --k-max is given twice.")]
    [InlineData(new[] { "80" }, "Unexpected script argument '80'")]
    public void Bad_arguments_are_refused_naming_the_flag(string[] args, string message)
    {
        var error = Assert.Throws<ScriptArgumentException>(() => Bind(args));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_required_argument_must_be_given()
    {
        var error = Assert.Throws<ScriptArgumentException>(() => ScriptArguments.For(typeof(RequiredArguments)).Bind([]));
        Assert.Equal("Missing required script argument --dataset.", error.Message);
    }

    [Fact]
    public void Help_lists_flags_with_types_defaults_and_descriptions()
    {
        var help = ScriptArguments.For(typeof(SweepArguments)).Help("x.csx").Split('\n');
        Assert.Equal("Arguments of x.csx (kplab run x.csx -- [arguments]):", help[0]);
        Assert.Matches(@"^  --min-answers <int>\s+default: 60\s+Smallest number of answers a question needs\.$", help[1]);
        Assert.Matches(@"^  --k-max <int>\s+default: 10\s+Largest k tried\.$", help[2]);
        Assert.Matches(@"^  --threshold <double>\s+default: 0\.5$", help[3]);
        Assert.Matches(@"^  --verbose\s+default: false$", help[4]);
        Assert.Matches(@"^  --linkage <ward\|average\|single-link>\s+default: ward$", help[5]);
        Assert.Matches(@"^  --onnx-model <string>\s+default: none$", help[6]);
        Assert.Matches(@"^  --embedders <string\.\.\.>\s+default: \[use-lite, tfidf\]\s+Embedders to compare\.$", help[7]);
    }

    private const string ArgsScript = """
        public sealed record Options(
            [property: System.ComponentModel.Description("Smallest number of answers.")] int MinAnswers = 60,
            string[] Embedders = null);
        var o = Lab.Args<Options>();
        Lab.Log($"min={o.MinAnswers} embedders={string.Join("|", o.Embedders ?? new string[0])}");
        Lab.Log("end marker");
        """;

    [Fact]
    public async Task A_script_binds_its_arguments_and_logs_them()
    {
        workspace.Write("args/bind.csx", ArgsScript);
        var (result, output, _) = await workspace.RunAsync("args/bind.csx", args: ["--min-answers", "80", "--embedders", "a", "b"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("arguments: --min-answers 80 --embedders [a, b]\nmin=80 embedders=a|b\nend marker\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_typo_fails_the_run_before_it_does_anything_with_exit_code_2()
    {
        workspace.Write("args/typo.csx", ArgsScript);
        var (result, output, error) = await workspace.RunAsync("args/typo.csx", args: ["--min-answer", "80"]);
        Assert.Equal(ScriptRunner.ScriptInvalid, result.ExitCode);
        Assert.Equal("", output);
        Assert.Contains("typo.csx:4: error: ScriptArgumentException: Unknown script argument --min-answer; did you mean --min-answers?", error);
        Assert.Equal(RunStatus.Failed, result.Record!.Status);
    }

    [Fact]
    public async Task Help_prints_the_arguments_and_ends_without_running_the_rest_or_leaving_a_run()
    {
        workspace.Write("args/help.csx", ArgsScript);
        var (result, output, error) = await workspace.RunAsync("args/help.csx", args: ["--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.RunDirectory);
        Assert.True(error.Length == 0, error);
        var lines = output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Arguments of help.csx (kplab run help.csx -- [arguments]):", lines[0]);
        Assert.Matches(@"^  --min-answers <int>\s+default: 60\s+Smallest number of answers\.$", lines[1]);
        Assert.Matches(@"^  --embedders <string\.\.\.>\s+default: none$", lines[2]);
        Assert.Equal(3, lines.Length); // nothing after Lab.Args ran
        Assert.Empty(Directory.GetDirectories(Path.Combine(workspace.Runs, "help")));
    }

    [Fact]
    public async Task The_obsolete_Lab_Arg_reports_flags_it_never_read_with_the_nearest_read_one()
    {
        workspace.Write("args/legacy.csx", """
            #pragma warning disable CS0618
            var min = Lab.Arg("--min-answers", 60);
            Lab.Log($"min={min}");
            """);
        var (result, output, error) = await workspace.RunAsync("args/legacy.csx", args: ["--min-answer", "80", "--zzz", "1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("min=60\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("warning: script argument --min-answer was never read by the script, so it had no effect; did you mean --min-answers?", error);
        Assert.Contains("warning: script argument --zzz was never read by the script, so it had no effect.", error);
        Assert.Contains(result.Record!.Log, l => l.Message.Contains("--min-answer was never read", StringComparison.Ordinal));
    }

    private async Task<(int Exit, string Out, string Error)> Kplab(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var app = new KplabApp(_ => new FakePluginSource())
        {
            Out = o,
            Error = e,
            ScriptCacheDirectory = workspace.ScriptCache,
            EmbeddingCacheDirectory = workspace.EmbeddingCache,
        };
        int exit = await app.InvokeAsync(args);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task Unknown_kplab_options_before_the_double_dash_are_refused_not_passed_to_the_script()
    {
        var script = workspace.Write("args/cli.csx", "Lab.Log(\"ran with \" + string.Join(\"|\", Lab.RawArgs));\n");
        var runs = Path.Combine(workspace.Root, "runs-cli");

        var typo = await Kplab("run", script, "--thread", "1", "--runs", runs);
        Assert.Equal(2, typo.Exit);
        Assert.Equal("", typo.Out);
        Assert.Contains("kplab: unknown option --thread for 'kplab run'; did you mean --threads?", typo.Error);
        Assert.False(Directory.Exists(runs));

        var stray = await Kplab("run", script, "extra", "--runs", runs);
        Assert.Equal(2, stray.Exit);
        Assert.Contains("unexpected argument 'extra' for 'kplab run': script arguments go after '--'", stray.Error);

        var ok = await Kplab("run", script, "--threads", "1", "--runs", runs, "--", "--thread", "1");
        Assert.Equal(0, ok.Exit);
        Assert.Equal("ran with --thread|1\n", ok.Out.ReplaceLineEndings("\n"));

        var other = await Kplab("run-all", workspace.Root, "--thread", "1");
        Assert.Equal(2, other.Exit);
        Assert.Contains("'--thread'; did you mean --threads?", other.Error);
    }
}
