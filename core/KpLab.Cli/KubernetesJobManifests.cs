using System.Globalization;
using KpLab.Scripting;
using YamlDotNet.Serialization;

namespace KpLab.Cli;

/// <summary>
/// The Kubernetes manifests of a <see cref="ClusterSubmission"/>: an Indexed Job (<c>completionMode: Indexed</c>,
/// <c>completions</c> = shards, <c>parallelism</c> = at most K at once) whose pods run one shard each
/// (<c>JOB_COMPLETION_INDEX</c>), and the merge Job, to apply once the Indexed Job is complete.
/// </summary>
/// <remarks>
/// Every pod mounts one shared volume (a PersistentVolumeClaim) at <see cref="KubernetesTarget.MountPath"/> and works
/// there: it holds the project folder (script, data, runs) and the embedding cache, so the paths in the commands are
/// the local ones relative to the folder <c>kplab submit</c> ran in.
/// </remarks>
public static class KubernetesJobManifests
{
    /// <summary>The Indexed Job's file name in the submission folder.</summary>
    public const string ShardsFile = "shards-job.yaml";

    /// <summary>The merge Job's file name in the submission folder.</summary>
    public const string MergeFile = "merge-job.yaml";

    /// <summary>The Indexed Job running the shards.</summary>
    public static string ShardsJob(ClusterSubmission submission, KubernetesTarget target)
    {
        var threads = (submission.Resources.CpusPerTask ?? 1).ToString(CultureInfo.InvariantCulture);
        var spec = new Dictionary<string, object>
        {
            ["completionMode"] = "Indexed",
            ["completions"] = submission.Shards,
            ["parallelism"] = submission.MaxParallel ?? submission.Shards,
            // Failed pods are retried until this many failures in all; then the Job fails (rerun only the missing indexes).
            ["backoffLimit"] = submission.Shards,
            ["template"] = Pod(submission, target, target.Command.Concat(submission.TaskArguments(threads, target.Path)),
                [Env(ShardAssignment.CountVariable, submission.Shards.ToString(CultureInfo.InvariantCulture))]),
        };
        return Serialize(Job(target.JobName, spec));
    }

    /// <summary>The merge Job: one pod, after the Indexed Job is complete.</summary>
    public static string MergeJob(ClusterSubmission submission, KubernetesTarget target)
    {
        var spec = new Dictionary<string, object>
        {
            ["completions"] = 1,
            ["backoffLimit"] = 0,
            ["template"] = Pod(submission, target, target.Command.Concat(submission.MergeArguments(target.Path)), []),
        };
        return Serialize(Job(target.JobName + "-merge", spec));
    }

    private static Dictionary<string, object> Job(string name, Dictionary<string, object> spec) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["metadata"] = new Dictionary<string, object>
        {
            ["name"] = name,
            ["labels"] = new Dictionary<string, object> { ["app.kubernetes.io/name"] = "kplab", ["app.kubernetes.io/instance"] = name },
        },
        ["spec"] = spec,
    };

    private static Dictionary<string, object> Pod(ClusterSubmission submission, KubernetesTarget target, IEnumerable<string> command,
        List<Dictionary<string, object>> env)
    {
        env.Add(Env("KPLAB_CACHE", target.MountPath.TrimEnd('/') + "/.kplab-cache"));
        var container = new Dictionary<string, object>
        {
            ["name"] = "kplab",
            ["image"] = target.Image,
            ["command"] = command.ToList(),
            ["workingDir"] = target.MountPath,
            ["env"] = env,
            ["volumeMounts"] = new List<object> { new Dictionary<string, object> { ["name"] = "work", ["mountPath"] = target.MountPath } },
        };
        var requests = new Dictionary<string, object>();
        if (submission.Resources.CpusPerTask is { } cpus) requests["cpu"] = cpus.ToString(CultureInfo.InvariantCulture);
        if (submission.Resources.Memory is { } memory) requests["memory"] = KubernetesQuantity(memory);
        if (requests.Count > 0) container["resources"] = new Dictionary<string, object> { ["requests"] = requests, ["limits"] = new Dictionary<string, object>(requests) };
        return new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, object> { ["labels"] = new Dictionary<string, object> { ["app.kubernetes.io/name"] = "kplab" } },
            ["spec"] = new Dictionary<string, object>
            {
                ["restartPolicy"] = "Never",
                ["containers"] = new List<object> { container },
                ["volumes"] = new List<object>
                {
                    new Dictionary<string, object>
                    {
                        ["name"] = "work",
                        ["persistentVolumeClaim"] = new Dictionary<string, object> { ["claimName"] = target.VolumeClaim },
                    },
                },
            },
        };
    }

    /// <summary>SLURM's memory sizes (<c>8G</c>, <c>500M</c>) as Kubernetes quantities (<c>8Gi</c>, <c>500Mi</c>).</summary>
    internal static string KubernetesQuantity(string memory) =>
        memory.Length > 1 && char.IsAsciiDigit(memory[^2]) && "KMGT".Contains(char.ToUpperInvariant(memory[^1]))
            ? memory[..^1] + char.ToUpperInvariant(memory[^1]) + "i"
            : memory;

    private static Dictionary<string, object> Env(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static string Serialize(object document) =>
        new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(document);
}

/// <summary>Where and how the Kubernetes Jobs run.</summary>
/// <param name="Image">The container image with kplab installed.</param>
/// <param name="VolumeClaim">The PersistentVolumeClaim holding the project folder, shared by every pod.</param>
/// <param name="MountPath">Where pods mount it; they work there.</param>
/// <param name="LocalRoot">The local folder the volume holds (the folder <c>kplab submit</c> ran in), full path.</param>
/// <param name="JobName">The Indexed Job's name (the merge Job adds <c>-merge</c>).</param>
public sealed record KubernetesTarget(string Image, string VolumeClaim, string MountPath, string LocalRoot, string JobName)
{
    /// <summary>How pods start kplab: the image's <c>kplab</c> on its PATH.</summary>
    public IReadOnlyList<string> Command { get; init; } = ["kplab"];

    /// <summary>A local full path as pods see it (relative to the mount, with '/').</summary>
    /// <exception cref="ArgumentException">The path is outside <see cref="LocalRoot"/>, which is all the volume holds.</exception>
    public string Path(string local)
    {
        var relative = System.IO.Path.GetRelativePath(LocalRoot, local);
        if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative))
            throw new ArgumentException($"{local} is outside {LocalRoot}, the folder the shared volume holds: run kplab submit --k8s from a folder that contains the script, its data and the runs folder.");
        return relative == "." ? MountPath : MountPath.TrimEnd('/') + "/" + relative.Replace('\\', '/');
    }
}
