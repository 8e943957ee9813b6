namespace KpLab.Scripting.Tests;

/// <summary>Lab.LoadDataset: separators from dataset.yaml or options, and the quality order that travels with labels.</summary>
public sealed class DatasetLoadingTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    private void WriteData()
    {
        workspace.Write("data/semi/answers.txt", "answer_id;question_id;answer_text;label\na1;Q1;yes, it is;correct\na2;Q1;no;wrong\na3;Q2;maybe;partial\n");
        workspace.Write("data/semi/dataset.yaml",
            "path: answers.txt\nseparator: \";\"\ntext: answer_text\nid: answer_id\nlabel: label\ngroup: question_id\nqualityOrder: [correct, partial, wrong]\n");
    }

    [Fact]
    public async Task A_dataset_yaml_gives_the_separator_and_a_quality_order_that_rides_on_the_labels()
    {
        WriteData();
        workspace.Write("load-semi.csx", """
            var d = Lab.LoadDataset("semi");
            Lab.Log($"{d.Count} {string.Join("|", d.Texts)} order={string.Join(">", d.Labels.QualityOrder)}");
            foreach (var q in d.SplitByGroup()) Lab.Log($"{q.Name}: {string.Join(",", q.Labels)} order={string.Join(">", q.Labels.QualityOrder)}");
            var given = Lab.LoadDataset("data/semi/answers.txt", text: "answer_text", label: "label",
                read: new TextReadOptions { Separator = ';' }, qualityOrder: new[] { "wrong", "correct" });
            Lab.Log($"given order={string.Join(">", given.Labels.QualityOrder)}");
            """);
        var (result, output, error) = await workspace.RunAsync("load-semi.csx");
        Assert.True(result.ExitCode == 0, error);
        Assert.Equal("""
            3 yes, it is|no|maybe order=correct>partial>wrong
            semi/Q1: correct,wrong order=correct>partial>wrong
            semi/Q2: partial order=correct>partial>wrong
            given order=wrong>correct

            """.ReplaceLineEndings("\n"), output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_dataset_yaml_whose_quality_order_names_an_absent_label_fails_naming_file_and_line()
    {
        workspace.Write("data/typo/answers.csv", "text,label\na,correct\nb,wrong\n");
        workspace.Write("data/typo/dataset.yaml", "path: answers.csv\nlabel: label\nqualityOrder: [correct, wrnog]\n");
        workspace.Write("typo-order.csx", "Lab.LoadDataset(\"typo\");\n");
        var (result, _, error) = await workspace.RunAsync("typo-order.csx");
        Assert.Equal(ScriptRunner.ScriptFailed, result.ExitCode);
        Assert.Contains($"{Path.Combine(workspace.Root, "data", "typo", "dataset.yaml")}:3: the quality order names label 'wrnog'", error);
    }

    [Fact]
    public async Task A_quality_order_naming_a_label_the_data_lacks_fails_naming_its_source()
    {
        WriteData();
        workspace.Write("bad-order.csx", """
            Lab.LoadDataset("data/semi/answers.txt", text: "answer_text", label: "label",
                read: new TextReadOptions { Separator = ';' }, qualityOrder: new[] { "correct", "excellent" });
            """);
        var (result, _, error) = await workspace.RunAsync("bad-order.csx");
        Assert.Equal(ScriptRunner.ScriptFailed, result.ExitCode);
        Assert.Contains("bad-order.csx:1: error: ArgumentException: Quality order for dataset 'answers': the quality order names label 'excellent', " +
                        "which no item of dataset 'answers' has; its labels: correct, partial, wrong.", error);
    }
}
