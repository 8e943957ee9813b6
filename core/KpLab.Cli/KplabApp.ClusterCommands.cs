using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KpLab.Data;
using KpLab.Scripting;

namespace KpLab.Cli;

/// <summary>Running on a cluster: <c>run --shard</c>, <c>submit</c> (SLURM job arrays, Kubernetes Indexed Jobs) and <c>merge</c>.</summary>
public sealed partial class KplabApp
{
    private readonly Option<string?> _shard = new("--shard")
    {
        Description = "Run only shard I of N of the work: I/N, or auto on a SLURM array task or a Kubernetes Indexed Job " +
                      $"(index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, N from auto/N or {ShardAssignment.CountVariable}).",
    };

    /// <summary>Reads an environment variable (tests give their own).</summary>
    public Func<string, string?> EnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Runs a scheduler command (<c>sbatch</c>) and returns its exit code, output and error; tests give their own.</summary>
    public Func<string, IReadOnlyList<string>, (int Exit, string Output, string Error)> SchedulerCommand { get; init; } = RunScheduler;

    /// <summary>The folder <c>submit</c> resolves relative paths against and jobs start in (tests give their own).</summary>
    public string SubmitDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>How jobs on the cluster start this kplab (the same build, by full path).</summary>
    public IReadOnlyList<string> ClusterKplab { get; init; } = SelfArguments();

    private bool TryParseShard(string? spec, out ShardAssignment? shard)
    {
        shard = null;
        if (spec is null) return true;
        try
        {
            shard = ShardAssignment.Parse(spec, EnvironmentVariable);
            return true;
        }
        catch (FormatException e)
        {
            Error.WriteLine($"kplab run: --shard: {e.Message}");
            return false;
        }
    }

    private Command SubmitCommand()
    {
        var script = new Argument<string>("script") { Description = "The .csx script whose sweep is split into shards." };
        var scriptArgs = new Argument<string[]>("args") { Description = "Arguments for the script (after --), the same in every shard.", Arity = ArgumentArity.ZeroOrMore };
        var slurm = new Option<bool>("--slurm") { Description = "Submit a SLURM job array (sbatch) and a merge job that waits for it." };
        var k8s = new Option<bool>("--k8s") { Description = "Write a Kubernetes Indexed Job and a merge Job (apply them with kubectl)." };
        var shards = new Option<int>("--shards") { Description = "How many shards (array tasks, Job completions).", Required = true };
        var maxParallel = new Option<int?>("--max-parallel") { Description = "Run at most this many shards at once (%K, parallelism)." };
        var partition = new Option<string?>("--partition") { Description = "SLURM partition." };
        var time = new Option<string?>("--time") { Description = "Time limit per shard, SLURM's format (e.g. 2:00:00)." };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "CPUs per shard; kplab runs with that many threads (default 1)." };
        var mem = new Option<string?>("--mem") { Description = "Memory per shard (e.g. 8G)." };
        var folder = new Option<string>("--submissions") { Description = "Folder for the job scripts, logs and shard runs.", DefaultValueFactory = _ => "submissions" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only write the job scripts or manifests; submit nothing." };
        var image = new Option<string?>("--image") { Description = "--k8s: the container image with kplab." };
        var claim = new Option<string?>("--volume-claim") { Description = "--k8s: the PersistentVolumeClaim that holds this folder (shared by every pod)." };
        var mount = new Option<string>("--mount-path") { Description = "--k8s: where pods mount the volume and work.", DefaultValueFactory = _ => "/work" };
        var command = new Command("submit",
            "Splits a script's sweep into shards that a cluster runs in parallel, then merges them into one run (kplab run --shard, kplab merge).")
            { script, scriptArgs, slurm, k8s, shards, maxParallel, partition, time, cpus, mem, _runs, _seed, folder, dryRun, image, claim, mount };
        command.SetAction(parse =>
        {
            bool useSlurm = parse.GetValue(slurm), useK8s = parse.GetValue(k8s);
            var resources = new ShardResources(parse.GetValue(partition), parse.GetValue(time), parse.GetValue(cpus), parse.GetValue(mem));
            var problems = new List<string>();
            if (useSlurm == useK8s) problems.Add("give exactly one of --slurm and --k8s");
            var scriptPath = Path.GetFullPath(parse.GetValue(script)!, SubmitDirectory);
            if (!File.Exists(scriptPath)) problems.Add($"script not found: {parse.GetValue(script)}");
            int n = parse.GetValue(shards);
            if (n < 1) problems.Add($"--shards must be at least 1, got {n}");
            if (parse.GetValue(maxParallel) is { } k && k < 1) problems.Add($"--max-parallel must be at least 1, got {k}");
            if (resources.CpusPerTask is { } c && c < 1) problems.Add($"--cpus-per-task must be at least 1, got {c}");
            problems.AddRange(new[] { ("--partition", resources.Partition), ("--time", resources.Time), ("--mem", resources.Memory) }
                .Select(o => SlurmJobScripts.Problem(o.Item1, o.Item2)).OfType<string>());
            if (useK8s && parse.GetValue(image) is null) problems.Add("--k8s needs --image (a container image with kplab)");
            if (useK8s && parse.GetValue(claim) is null) problems.Add("--k8s needs --volume-claim (the PersistentVolumeClaim holding this folder)");
            var submission = new ClusterSubmission(scriptPath, parse.GetValue(scriptArgs) ?? [], n, parse.GetValue(maxParallel), parse.GetValue(_seed),
                ClusterSubmission.NewFolder(Path.GetFullPath(parse.GetValue(folder)!, SubmitDirectory), scriptPath),
                Path.GetFullPath(parse.GetValue(_runs)!, SubmitDirectory), SubmitDirectory, resources);
            // sbatch reads #SBATCH lines split at spaces: the paths that go there must have none.
            foreach (var path in new[] { submission.WorkingDirectory, submission.Folder })
                if (useSlurm && path.Any(char.IsWhiteSpace)) problems.Add($"the path '{path}' has a space, which an #SBATCH line cannot hold");
            if (problems.Count > 0)
            {
                foreach (var problem in problems) Error.WriteLine($"kplab submit: {problem}");
                return 2;
            }
            try
            {
                return useSlurm ? SubmitSlurm(submission, parse.GetValue(dryRun))
                    : WriteKubernetes(submission, new KubernetesTarget(parse.GetValue(image)!, parse.GetValue(claim)!, parse.GetValue(mount)!,
                        SubmitDirectory, submission.JobName + "-" + Path.GetFileName(submission.Folder)[^15..].Replace("-", "")));
            }
            catch (ArgumentException e)
            {
                Error.WriteLine($"kplab submit: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private int SubmitSlurm(ClusterSubmission submission, bool dryRun)
    {
        Directory.CreateDirectory(submission.LogDirectory);
        var array = Path.Combine(submission.Folder, SlurmJobScripts.ArrayFile);
        var merge = Path.Combine(submission.Folder, SlurmJobScripts.MergeFile);
        AtomicFile.WriteAllText(array, SlurmJobScripts.Array(submission, ClusterKplab));
        AtomicFile.WriteAllText(merge, SlurmJobScripts.Merge(submission, ClusterKplab));
        Out.WriteLine($"wrote {Shown(array)}");
        Out.WriteLine($"wrote {Shown(merge)}");
        if (dryRun)
        {
            Out.WriteLine($"submit them:  id=$(sbatch --parsable {Shown(array)}) && sbatch --dependency=afterok:$id {Shown(merge)}");
            return 0;
        }

        var (arrayExit, arrayOut, arrayError) = SchedulerCommand("sbatch", ["--parsable", array]);
        if (arrayExit != 0 || SlurmJobScripts.ParseJobId(arrayOut) is not { } arrayId)
        {
            Error.WriteLine($"kplab submit: sbatch {Shown(array)} failed (exit {arrayExit}): {(arrayError + arrayOut).Trim()}");
            return 1;
        }
        string limit = submission.MaxParallel is { } k ? $", at most {k} at a time" : "";
        Out.WriteLine($"submitted job array {arrayId}: {submission.Shards} shards{limit}; logs {Shown(Path.Combine(submission.LogDirectory, $"{arrayId}_<index>.log"))}");

        var (mergeExit, mergeOut, mergeError) = SchedulerCommand("sbatch", ["--parsable", $"--dependency=afterok:{arrayId}", merge]);
        if (mergeExit != 0 || SlurmJobScripts.ParseJobId(mergeOut) is not { } mergeId)
        {
            Error.WriteLine($"kplab submit: the merge job was not submitted (exit {mergeExit}): {(mergeError + mergeOut).Trim()}");
            Error.WriteLine($"kplab submit: submit it yourself: sbatch --dependency=afterok:{arrayId} {Shown(merge)}  (or cancel the array: scancel {arrayId})");
            return 1;
        }
        Out.WriteLine($"submitted merge job {mergeId}: runs when every shard has succeeded (afterok:{arrayId})");
        Out.WriteLine($"the merged run will appear under {Shown(Path.Combine(submission.RunsDirectory, submission.ScriptName))}/ (kplab runs {Shown(submission.RunsDirectory)}); shard runs under {Shown(submission.ShardRunsDirectory)}/");
        Out.WriteLine($"if shards fail: sbatch --array=<failed indices> {Shown(array)}, then sbatch --dependency=afterok:<its id> {Shown(merge)}");
        return 0;
    }

    private int WriteKubernetes(ClusterSubmission submission, KubernetesTarget target)
    {
        var shards = Path.Combine(submission.Folder, KubernetesJobManifests.ShardsFile);
        var merge = Path.Combine(submission.Folder, KubernetesJobManifests.MergeFile);
        var shardsYaml = KubernetesJobManifests.ShardsJob(submission, target);
        var mergeYaml = KubernetesJobManifests.MergeJob(submission, target);
        AtomicFile.WriteAllText(shards, shardsYaml);
        AtomicFile.WriteAllText(merge, mergeYaml);
        Out.WriteLine($"wrote {Shown(shards)}");
        Out.WriteLine($"wrote {Shown(merge)}");
        // Kubernetes has no dependencies between Jobs: the merge Job is applied once the Indexed Job is complete.
        Out.WriteLine($"run them:  kubectl apply -f {Shown(shards)} && kubectl wait --for=condition=complete --timeout=-1s job/{target.JobName} && kubectl apply -f {Shown(merge)}");
        return 0;
    }

    private Command MergeCommand()
    {
        var shardRuns = new Argument<string[]>("shard-runs") { Description = "The shard run folders (or folders holding them).", Arity = ArgumentArity.OneOrMore };
        var shards = new Option<int?>("--shards") { Description = "How many shards there should be (missing indices are named)." };
        var command = new Command("merge", "Merges the runs of a sharded sweep (kplab run --shard) into one run and runs its report once.")
            { shardRuns, shards, _runs, _threads };
        command.SetAction(async (parse, cancel) =>
        {
            var (merge, refusal) = ShardMerge.Open(parse.GetValue(shardRuns) ?? [], parse.GetValue(shards));
            if (merge is null)
            {
                Error.WriteLine($"kplab merge: {refusal}");
                return 2;
            }
            if (File.Exists(merge.ScriptPath) && ScriptSource.Read(merge.ScriptPath).Sha256 != merge.ScriptSha256)
            {
                Error.WriteLine($"kplab merge: the script {merge.ScriptPath} changed since the shards ran it; merge with the script they ran.");
                return 2;
            }
            Out.WriteLine($"kplab merge: {merge.Folders.Count} shards of {merge.ScriptPath}; running it once over their trials.");
            IPluginSource? source = null;
            using var signals = new RunSignals();
            try
            {
                var result = await ScriptRunner.RunAsync(new RunRequest
                {
                    ScriptPath = merge.ScriptPath,
                    Args = merge.Args,
                    Seed = merge.Seed,
                    Threads = parse.GetValue(_threads),
                    RunsDirectory = parse.GetValue(_runs)!,
                    ScriptCacheDirectory = ScriptCacheDirectory,
                    EmbeddingCacheDirectory = EmbeddingCacheDirectory,
                    Plugins = () => { EnsureModels(); return source = LoadPlugins(parse.GetValue(_plugins) ?? []); },
                    Output = Out,
                    Error = Error,
                    Cancellation = cancel,
                    Signals = signals,
                    MergeFrom = merge.Folders,
                });
                if (result.RunDirectory is not null)
                    (result.ExitCode == 0 ? Out : Error).WriteLine($"kplab merge: merged run: {result.RunDirectory}");
                return result.ExitCode;
            }
            finally
            {
                (source as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private string Shown(string path)
    {
        var relative = Path.GetRelativePath(SubmitDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private static IReadOnlyList<string> SelfArguments()
    {
        var start = SelfCommand([]);
        return [Path.GetFullPath(start.FileName) is var host && File.Exists(host) ? host : start.FileName, .. start.ArgumentList];
    }

    private static (int Exit, string Output, string Error) RunScheduler(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Result, error);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (127, "", $"{program} not found: run kplab submit on a machine that can submit jobs (a cluster's login node), or use --dry-run to only write the scripts");
        }
    }
}
