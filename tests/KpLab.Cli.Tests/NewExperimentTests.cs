namespace KpLab.Cli.Tests;

/// <summary>
/// `kplab new experiment`: the starter script and its editor project, which compiles the script's code with the C#
/// compiler against KpLab's assemblies (what completion and go-to-definition in an editor rest on).
/// </summary>
public sealed class NewExperimentTests : IDisposable
{
    private readonly TemporaryFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(int Exit, string Out, string Error)> Kplab(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var app = new KplabApp(_ => throw new InvalidOperationException("no plugins needed"))
        {
            Out = output,
            Error = error,
            KpLabHome = RepositoryPaths.KplabBuild,
        };
        int exit = await app.InvokeAsync(args);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task TheEditorProjectCompilesTheStarterScriptAndRejectsAMisspelledLabMember()
    {
        var (exit, output, error) = await Kplab("new", "experiment", "sweep", "--output", _temp.Path);
        Assert.True(exit == 0, error);
        var folder = Path.Combine(_temp.Path, "sweep");
        Assert.Contains("wrote", output);
        foreach (var file in new[] { "sweep.csx", "sweep.csproj", ".kplab/LabGlobal.cs", ".gitignore" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        var script = File.ReadAllText(Path.Combine(folder, "sweep.csx"));
        Assert.Contains("Lab.LoadDataset(\"semeval2013-sra\")", script);
        Assert.Contains("Lab.Table(\"sweep\", rows);", script);

        var (buildExit, buildOutput) = RepositoryPaths.Run("dotnet", folder, null, "build", "sweep.csproj", "-nologo", "-v", "q");
        Assert.True(buildExit == 0, buildOutput);

        // The project really binds the script's code: a member Lab does not have is the compiler's error, located.
        File.WriteAllText(Path.Combine(folder, "sweep.csx"), "Lab.Nope();\n" + script);
        var (brokenExit, brokenOutput) = RepositoryPaths.Run("dotnet", folder, null, "build", "sweep.csproj", "-nologo", "-v", "q");
        Assert.NotEqual(0, brokenExit);
        Assert.Contains("sweep.csx(1,5): error CS1061: 'Lab' does not contain a definition for 'Nope'", brokenOutput);
    }

    [Fact]
    public async Task ACsvDatasetIsReferencedRelativeToTheScript()
    {
        var csv = Path.Combine(_temp.Sub("data"), "answers.csv");
        File.WriteAllText(csv, "text,label,group\nan answer,correct,q1\n");
        var (exit, _, error) = await Kplab("new", "experiment", "mine", "--output", _temp.Sub("work"), "--dataset", csv);
        Assert.True(exit == 0, error);
        var script = File.ReadAllText(Path.Combine(_temp.Path, "work", "mine", "mine.csx"));
        Assert.Contains("Lab.LoadDataset(\"../../data/answers.csv\", text: \"text\", label: \"label\", group: \"group\")", script);
    }

    [Fact]
    public async Task NothingIsOverwrittenAndBadNamesOrMissingDataAreUsageErrors()
    {
        Assert.Equal(0, (await Kplab("new", "experiment", "once", "--output", _temp.Path)).Exit);
        File.WriteAllText(Path.Combine(_temp.Path, "once", "once.csx"), "// mine");
        var again = await Kplab("new", "experiment", "once", "--output", _temp.Path);
        Assert.Equal(1, again.Exit);
        Assert.Contains("exists and is not empty", again.Error);
        Assert.Equal("// mine", File.ReadAllText(Path.Combine(_temp.Path, "once", "once.csx")));

        var badName = await Kplab("new", "experiment", "../escape", "--output", _temp.Path);
        Assert.Equal(2, badName.Exit);
        Assert.Contains("cannot name an experiment", badName.Error);

        var noData = await Kplab("new", "experiment", "other", "--output", _temp.Path, "--dataset", Path.Combine(_temp.Path, "none.csv"));
        Assert.Equal(2, noData.Exit);
        Assert.Contains("--dataset: no such file", noData.Error);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "other")));
    }
}
