using KpLab.Scripting;

namespace KpLab.Cluster.Tests;

public sealed class ShardAssignmentTests
{
    private static ShardAssignment Parse(string spec, params (string Name, string Value)[] environment) =>
        ShardAssignment.Parse(spec, name => environment.FirstOrDefault(e => e.Name == name).Value);

    [Fact]
    public void An_explicit_shard_is_taken_as_given()
    {
        Assert.Equal(new ShardAssignment(2, 5, "--shard"), Parse("2/5"));
        Assert.Equal(new ShardAssignment(0, 1, "--shard"), Parse("0/1"));
    }

    [Fact]
    public void Auto_on_a_whole_slurm_array_takes_index_and_count_from_slurm()
    {
        var shard = Parse("auto", ("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "6"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "5"));
        Assert.Equal(new ShardAssignment(3, 6, "SLURM_ARRAY_TASK_ID"), shard);
        Assert.Equal([3, 9, 15], Enumerable.Range(0, 18).Where(shard.Owns));
    }

    [Fact]
    public void A_resubmitted_index_keeps_the_shard_count_of_the_submission()
    {
        // sbatch --array=3 of a 6-shard sweep: SLURM says 1 task, the sweep still has 6 shards.
        (string, string)[] resubmitted = [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "1"), ("SLURM_ARRAY_TASK_MIN", "3"), ("SLURM_ARRAY_TASK_MAX", "3")];
        var e = Assert.Throws<FormatException>(() => Parse("auto", resubmitted));
        Assert.Contains("KPLAB_SHARD_COUNT", e.Message);
        Assert.Equal(new ShardAssignment(3, 6, "SLURM_ARRAY_TASK_ID"), Parse("auto", [.. resubmitted, ("KPLAB_SHARD_COUNT", "6")]));
        Assert.Equal(new ShardAssignment(3, 6, "SLURM_ARRAY_TASK_ID"), Parse("auto/6", resubmitted));
    }

    [Fact]
    public void Auto_in_a_kubernetes_indexed_job_needs_the_count()
    {
        Assert.Equal(new ShardAssignment(4, 8, "JOB_COMPLETION_INDEX"), Parse("auto", ("JOB_COMPLETION_INDEX", "4"), ("KPLAB_SHARD_COUNT", "8")));
        Assert.Contains("KPLAB_SHARD_COUNT", Assert.Throws<FormatException>(() => Parse("auto", ("JOB_COMPLETION_INDEX", "4"))).Message);
    }

    [Theory]
    [InlineData("3", "expected I/N")]
    [InlineData("a/4", "the shard index I must be a non-negative integer")]
    [InlineData("-1/4", "the shard index I must be a non-negative integer")]
    [InlineData("1/0", "the shard count must be at least 1")]
    [InlineData("4/4", "shard index 4 (--shard) is not below the shard count 4")]
    [InlineData("1/2/3", "expected I/N")]
    [InlineData("auto", "neither SLURM_ARRAY_TASK_ID")]
    public void Malformed_shards_are_refused_saying_why(string spec, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => Parse(spec)).Message);
}
