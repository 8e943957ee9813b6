using System.Diagnostics;
using System.Text;

namespace KpLab.Sdk.Tests;

/// <summary>Runs a command to completion and captures its output, failing the test with both streams when it fails.</summary>
internal static class ChildProcess
{
    public static string Run(string file, IEnumerable<string> arguments, string directory, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // A child build must not inherit the MSBuild or test host settings of the `dotnet test` that runs this test.
        foreach (var key in start.Environment.Keys.ToArray())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || key == "NUGET_PACKAGES")
                start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', arguments)}` ran past {timeout}:\n{output}");
        }
        process.WaitForExit();
        var text = output.ToString();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` in {directory} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
