namespace KpLab.Scripting.Tests;

public sealed class DiagnosticDisplayTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    [Fact]
    public async Task ACompileErrorShowsTheSourceLineWithACaretUnderTheColumn()
    {
        var path = workspace.Write("caret.csx", "Lab.Log(\"fine\");\nvar answer = Lab.Nope(42);\n");
        var (result, _, error) = await workspace.RunAsync("caret.csx");
        Assert.Equal(2, result.ExitCode);
        // Lab has no member Nope: CS1061 at the member name, column 18.
        Assert.Contains(
            $"{path}:2:18: error CS1061: 'Lab' does not contain a definition for 'Nope'", error);
        Assert.Contains("\n 2 | var answer = Lab.Nope(42);\n   |                  ^\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void TheCaretKeepsTheSourceTabsSoItLinesUpInATerminal()
    {
        var file = workspace.Write("tabs.csx", "if (true)\n{\n\t\tx = 1;\n}\n");
        var shown = DiagnosticDisplay.Format(new ScriptDiagnostic(file, 3, 3, "error", "CS0103", "The name 'x' does not exist in the current context"));
        Assert.Equal($"{file}:3:3: error CS0103: The name 'x' does not exist in the current context\n 3 | \t\tx = 1;\n   | \t\t^", shown);
    }

    [Fact]
    public void WithoutTheSourceFileOnlyTheLocatedLineIsShown()
    {
        var shown = DiagnosticDisplay.Format(new ScriptDiagnostic("/no/such/file.csx", 1, 1, "error", "CS1002", "; expected"));
        Assert.Equal("/no/such/file.csx:1:1: error CS1002: ; expected", shown);
    }
}
