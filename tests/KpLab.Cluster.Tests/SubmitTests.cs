using KpLab.Cli;
using KpLab.Scripting;
using YamlDotNet.RepresentationModel;

namespace KpLab.Cluster.Tests;

/// <summary><c>kplab submit</c>: the sbatch scripts, the submission through sbatch, the Kubernetes manifests, bad input.</summary>
public sealed class SubmitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kplab-submit-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly List<string[]> _scheduled = [];

    private KplabApp App(Func<IReadOnlyList<string>, (int, string, string)>? sbatch = null, IReadOnlyDictionary<string, string>? environment = null) =>
        new(_ => throw new InvalidOperationException("no plugins needed"))
        {
            Out = _out,
            Error = _error,
            SubmitDirectory = _root,
            ClusterKplab = ["/opt/dotnet/dotnet", "/opt/kplab/kplab.dll"],
            EnvironmentVariable = name => environment?.GetValueOrDefault(name),
            SchedulerCommand = (program, args) =>
            {
                Assert.Equal("sbatch", program);
                _scheduled.Add([.. args]);
                return sbatch?.Invoke(args) ?? (0, $"{1000 + _scheduled.Count}\n", "");
            },
        };

    private string Script()
    {
        var path = Path.Combine(_root, "k-sweep.csx");
        File.WriteAllText(path, "Lab.Log(\"hi\");\n");
        return path;
    }

    private string Submission() => Assert.Single(Directory.GetDirectories(Path.Combine(_root, "submissions")));

    [Fact]
    public async Task Dry_run_writes_a_job_array_and_a_merge_script_and_submits_nothing()
    {
        Script();
        int exit = await App().InvokeAsync(["submit", "k-sweep.csx", "--slurm", "--shards", "4", "--max-parallel", "2", "--partition", "short",
            "--time", "1:30:00", "--cpus-per-task", "3", "--mem", "8G", "--seed", "7", "--dry-run", "--", "--min-answers", "it's"]);
        Assert.True(exit == 0, _error.ToString());
        Assert.Empty(_scheduled);
        var folder = Submission();
        Assert.Matches(@"k-sweep-\d{8}-\d{6}$", folder);

        var array = File.ReadAllLines(Path.Combine(folder, "array.sbatch"));
        Assert.Equal("#!/bin/bash", array[0]);
        Assert.Equal(
        [
            "#SBATCH --job-name=kplab-k-sweep",
            $"#SBATCH --chdir={_root}",
            "#SBATCH --array=0-3%2",
            $"#SBATCH --output={folder}/logs/%A_%a.log",
            "#SBATCH --partition=short",
            "#SBATCH --time=1:30:00",
            "#SBATCH --cpus-per-task=3",
            "#SBATCH --mem=8G",
            "#SBATCH --export=ALL",
        ], array.Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)));
        Assert.Contains("export KPLAB_SHARD_COUNT=4", array);
        Assert.Equal(
            $"exec '/opt/dotnet/dotnet' '/opt/kplab/kplab.dll' 'run' '{_root}/k-sweep.csx' '--shard' 'auto' '--runs' '{folder}/shards' " +
            "'--seed' '7' '--threads' \"${SLURM_CPUS_PER_TASK:-1}\" '--' '--min-answers' 'it'\\''s'",
            array[^1]);

        var merge = File.ReadAllLines(Path.Combine(folder, "merge.sbatch"));
        Assert.Contains("#SBATCH --job-name=kplab-k-sweep-merge", merge);
        Assert.Contains($"#SBATCH --output={folder}/logs/merge-%j.log", merge);
        Assert.DoesNotContain(merge, l => l.StartsWith("#SBATCH --array", StringComparison.Ordinal) || l.Contains("cpus-per-task"));
        Assert.Equal($"exec '/opt/dotnet/dotnet' '/opt/kplab/kplab.dll' 'merge' '{folder}/shards/k-sweep' '--shards' '4' '--runs' '{_root}/runs'", merge[^1]);
        Assert.Contains("sbatch --parsable", _out.ToString());
    }

    [Fact]
    public async Task Submission_sends_the_array_then_the_merge_job_after_it_and_prints_both_ids()
    {
        Script();
        int exit = await App(args => args.Count == 2 ? (0, "4711;cluster-a\n", "") : (0, "4712\n", ""))
            .InvokeAsync(["submit", "k-sweep.csx", "--slurm", "--shards", "3"]);
        Assert.True(exit == 0, _error.ToString());
        var folder = Submission();
        Assert.Equal(2, _scheduled.Count);
        Assert.Equal(["--parsable", Path.Combine(folder, "array.sbatch")], _scheduled[0]);
        Assert.Equal(["--parsable", "--dependency=afterok:4711", Path.Combine(folder, "merge.sbatch")], _scheduled[1]);
        var text = _out.ToString();
        Assert.Contains("submitted job array 4711: 3 shards;", text);
        Assert.Contains("submitted merge job 4712: runs when every shard has succeeded (afterok:4711)", text);
        Assert.Contains("the merged run will appear under runs/k-sweep/", text);
        Assert.Contains("#SBATCH --array=0-2", File.ReadAllLines(Path.Combine(folder, "array.sbatch")));
    }

    [Fact]
    public async Task A_failing_sbatch_is_reported_and_the_merge_job_not_sent()
    {
        Script();
        int exit = await App(_ => (1, "", "sbatch: error: invalid partition specified: gpu"))
            .InvokeAsync(["submit", "k-sweep.csx", "--slurm", "--shards", "2", "--partition", "gpu"]);
        Assert.Equal(1, exit);
        Assert.Single(_scheduled);
        Assert.Contains("invalid partition specified: gpu", _error.ToString());
    }

    [Theory]
    [InlineData("--shards 0 --slurm", "--shards must be at least 1, got 0")]
    [InlineData("--shards 2", "give exactly one of --slurm and --k8s")]
    [InlineData("--shards 2 --slurm --k8s", "give exactly one of --slurm and --k8s")]
    [InlineData("--shards 2 --slurm --max-parallel 0", "--max-parallel must be at least 1, got 0")]
    [InlineData("--shards 2 --slurm --partition a;b", "--partition 'a;b' may hold only")]
    [InlineData("--shards 2 --k8s --volume-claim c", "--k8s needs --image")]
    public async Task Bad_options_are_refused_naming_the_option(string options, string message)
    {
        Script();
        int exit = await App().InvokeAsync(["submit", "k-sweep.csx", .. options.Split(' ')]);
        Assert.Equal(2, exit);
        Assert.Contains(message, _error.ToString());
        Assert.Empty(_scheduled);
        Assert.False(Directory.Exists(Path.Combine(_root, "submissions")));
    }

    [Fact]
    public async Task A_missing_script_is_named()
    {
        int exit = await App().InvokeAsync(["submit", "nope.csx", "--slurm", "--shards", "2"]);
        Assert.Equal(2, exit);
        Assert.Contains("script not found: nope.csx", _error.ToString());
    }

    [Fact]
    public async Task Kubernetes_gets_an_indexed_job_of_the_shards_and_a_merge_job()
    {
        Script();
        int exit = await App().InvokeAsync(["submit", "k-sweep.csx", "--k8s", "--shards", "5", "--max-parallel", "2", "--cpus-per-task", "4",
            "--mem", "6G", "--image", "registry.example/kplab:1.0", "--volume-claim", "kplab-work", "--", "--k", "3"]);
        Assert.True(exit == 0, _error.ToString());
        Assert.Empty(_scheduled);
        var folder = Submission();
        var relativeFolder = Path.GetRelativePath(_root, folder);

        var shards = Load(Path.Combine(folder, "shards-job.yaml"));
        Assert.Equal("batch/v1", Scalar(shards, "apiVersion"));
        Assert.Equal("Job", Scalar(shards, "kind"));
        var jobName = Scalar(shards, "metadata", "name");
        Assert.Matches(@"^kplab-k-sweep-\d{14}$", jobName);
        Assert.Equal("Indexed", Scalar(shards, "spec", "completionMode"));
        Assert.Equal("5", Scalar(shards, "spec", "completions"));
        Assert.Equal("2", Scalar(shards, "spec", "parallelism"));
        var pod = Map(shards, "spec", "template", "spec");
        Assert.Equal("Never", Scalar(pod, "restartPolicy"));
        var container = (YamlMappingNode)Assert.Single(((YamlSequenceNode)pod["containers"]).Children);
        Assert.Equal("registry.example/kplab:1.0", Scalar(container, "image"));
        Assert.Equal("/work", Scalar(container, "workingDir"));
        Assert.Equal(["kplab", "run", "/work/k-sweep.csx", "--shard", "auto", "--runs", $"/work/{relativeFolder}/shards",
            "--seed", "0", "--threads", "4", "--", "--k", "3"], Strings(container["command"]));
        Assert.Equal(new Dictionary<string, string> { ["KPLAB_SHARD_COUNT"] = "5", ["KPLAB_CACHE"] = "/work/.kplab-cache" }, Env(container));
        Assert.Equal("4", Scalar(container, "resources", "requests", "cpu"));
        Assert.Equal("6Gi", Scalar(container, "resources", "requests", "memory"));
        Assert.Equal("/work", Scalar((YamlMappingNode)((YamlSequenceNode)container["volumeMounts"]).Children[0], "mountPath"));
        var volume = (YamlMappingNode)Assert.Single(((YamlSequenceNode)pod["volumes"]).Children);
        Assert.Equal("kplab-work", Scalar(volume, "persistentVolumeClaim", "claimName"));

        var merge = Load(Path.Combine(folder, "merge-job.yaml"));
        Assert.Equal("Job", Scalar(merge, "kind"));
        Assert.Equal(jobName + "-merge", Scalar(merge, "metadata", "name"));
        Assert.False(Map(merge, "spec").Children.ContainsKey("completionMode"));
        var mergeContainer = (YamlMappingNode)Assert.Single(((YamlSequenceNode)Map(merge, "spec", "template", "spec")["containers"]).Children);
        Assert.Equal(["kplab", "merge", $"/work/{relativeFolder}/shards/k-sweep", "--shards", "5", "--runs", "/work/runs"], Strings(mergeContainer["command"]));
        Assert.Contains($"kubectl wait --for=condition=complete --timeout=-1s job/{jobName}", _out.ToString());
    }

    [Fact]
    public async Task Kubernetes_refuses_a_script_outside_the_shared_folder()
    {
        var outside = Directory.CreateTempSubdirectory("kplab-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "x.csx"), "");
            int exit = await App().InvokeAsync(["submit", Path.Combine(outside, "x.csx"), "--k8s", "--shards", "2", "--image", "i", "--volume-claim", "c"]);
            Assert.Equal(2, exit);
            Assert.Contains("is outside", _error.ToString());
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    [Fact]
    public async Task Run_refuses_a_shard_it_cannot_place_naming_why()
    {
        Script();
        Assert.Equal(2, await App().InvokeAsync(["run", Path.Combine(_root, "k-sweep.csx"), "--shard", "4/4"]));
        Assert.Contains("kplab run: --shard: shard index 4 (--shard) is not below the shard count 4", _error.ToString());
        Assert.Equal(2, await App().InvokeAsync(["run", Path.Combine(_root, "k-sweep.csx"), "--shard", "auto"]));
        Assert.Contains("neither SLURM_ARRAY_TASK_ID (a SLURM job array) nor JOB_COMPLETION_INDEX", _error.ToString());
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, params string[] keys) =>
        keys.Aggregate(node, (n, k) => (YamlMappingNode)n[k]);

    private static string Scalar(YamlMappingNode node, params string[] keys) =>
        ((YamlScalarNode)Map(node, keys[..^1])[keys[^1]]).Value!;

    private static string[] Strings(YamlNode sequence) =>
        ((YamlSequenceNode)sequence).Children.Select(c => ((YamlScalarNode)c).Value!).ToArray();

    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => Scalar(e, "value"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
