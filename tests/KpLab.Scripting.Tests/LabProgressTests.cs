using KpLab.Scripting;

namespace KpLab.Scripting.Tests;

public sealed class LabProgressTests
{
    [Fact]
    public void On_a_terminal_a_live_bar_shows_counts_rate_and_the_final_state()
    {
        var terminal = new StringWriter();
        var logged = new List<string>();
        var progress = new LabProgress(terminal, live: true, logged.Add);
        using (var task = progress.Start("embed [answers]", 40))
            for (int i = 0; i < 40; i++) task.Advance();
        var screen = terminal.ToString();
        Assert.Contains("embed [answers]", screen); // markup characters in the name are shown, not interpreted
        Assert.Contains("40/40", screen);
        Assert.Contains("100%", screen);
        Assert.Contains("items/s", screen);
        Assert.Contains("\u001b[", screen); // drawn with ANSI control sequences
        Assert.Empty(logged);
    }

    [Fact]
    public void Redirected_output_gets_plain_lines_and_no_control_sequences()
    {
        var stderr = new StringWriter();
        var logged = new List<string>();
        var progress = new LabProgress(stderr, live: false, logged.Add);
        var task = progress.Start("cluster", 3);
        task.Advance(3);
        Assert.Matches(@"^cluster: 3/3 \(100\.0%\) \d+ items/s in \d+\.\d s$", task.Describe());
        task.Dispose();
        Assert.Equal("", stderr.ToString()); // nothing drawn on the redirected stream
        Assert.Empty(logged);                // and a task done within 2 s leaves no line in the log
    }
}
