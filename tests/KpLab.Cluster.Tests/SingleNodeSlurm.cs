using System.Diagnostics;

namespace KpLab.Cluster.Tests;

/// <summary>
/// A real SLURM on this machine for the tests: <c>single-node-slurm up</c> (installs Debian's slurmctld, slurmd,
/// slurm-client and munge when missing, writes a single-node slurm.conf, starts munged, slurmctld and slurmd, waits
/// until the node is idle) and, on dispose, <c>down</c>, which stops exactly the daemons it started. If SLURM cannot be
/// installed or started, constructing this throws with the reason, so every test using it fails saying so.
/// </summary>
public sealed class SingleNodeSlurm : IDisposable
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "single-node-slurm");

    /// <summary>Starts the cluster (installing SLURM first if needed).</summary>
    public SingleNodeSlurm()
    {
        Folder = Directory.CreateTempSubdirectory("kplab-slurm-").FullName;
        var (exit, output, error) = Run("bash", [Script, "up", Folder], TimeSpan.FromMinutes(15));
        if (exit != 0)
        {
            Run("bash", [Script, "down", Folder], TimeSpan.FromMinutes(1));
            throw new InvalidOperationException($"a single-node SLURM could not be started (single-node-slurm up exited {exit}): {error.Trim()} {output.Trim()}");
        }
        Conf = Path.Combine(Folder, "slurm.conf");
    }

    /// <summary>The cluster's folder: slurm.conf, state, spool and the daemons' logs.</summary>
    public string Folder { get; }

    /// <summary>The cluster's slurm.conf (SLURM_CONF for every client command).</summary>
    public string Conf { get; }

    /// <summary>Runs a command with this cluster's <c>SLURM_CONF</c>.</summary>
    public (int Exit, string Output, string Error) Run(string program, IReadOnlyList<string> args, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (Conf is not null) start.Environment["SLURM_CONF"] = Conf;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, output.Result, $"{program} timed out\n{error.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Stops the daemons this cluster started and removes its folder.</summary>
    public void Dispose()
    {
        var (exit, _, error) = Run("bash", [Script, "down", Folder], TimeSpan.FromMinutes(1));
        if (exit != 0) Console.Error.WriteLine($"single-node-slurm down exited {exit}: {error}");
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
