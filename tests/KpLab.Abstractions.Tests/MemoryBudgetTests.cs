namespace KpLab.Abstractions.Tests;

public sealed class MemoryBudgetTests
{
    [Fact]
    public void AFixedBudgetRefusesAboveItWithTheEstimateAndTheAlternative()
    {
        var budget = MemoryBudget.OfGigabytes(2);
        Assert.Equal(2_000_000_000L, budget.Bytes);
        budget.EnsureFits("demo", 2_000_000_000L, "the table", "Use less.");
        var ex = Assert.Throws<MemoryBudgetExceededException>(() => budget.EnsureFits("demo", 80_000_000_000L, "the table", "Use less."));
        Assert.Equal(80_000_000_000L, ex.EstimatedBytes);
        Assert.Equal(2_000_000_000L, ex.BudgetBytes);
        Assert.Equal("demo", ex.Plugin);
        Assert.Equal("demo: the table needs about 80.0 GB at its peak, over the memory budget of 2.0 GB (set by the memoryBudgetGb option). Use less.", ex.Message);
    }

    [Fact]
    public void TheDefaultIsThreeQuartersOfWhatIsAvailable()
    {
        long available = MemoryBudget.AvailableBytes();
        Assert.True(available > 0);
        long budget = MemoryBudget.Default.Bytes;
        // Available memory moves between the two reads; the ratio stays near 0.75.
        Assert.InRange(budget / (double)available, 0.6, 0.9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANonPositiveBudgetIsRejected(double gigabytes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBudget.OfGigabytes(gigabytes));
        Assert.Contains(new DemoOptions { MemoryBudgetGb = gigabytes }.Validate(), e => e.Option == "memoryBudgetGb");
    }

    [Fact]
    public void TheOptionOverridesTheContext()
    {
        var context = new PluginContext(new RandomSource(0)) { MemoryBudget = MemoryBudget.OfBytes(1000) };
        Assert.Equal(1000, new DemoOptions().BudgetIn(context).Bytes);
        Assert.Equal(3_000_000_000L, new DemoOptions { MemoryBudgetGb = 3 }.BudgetIn(context).Bytes);
    }

    [Fact]
    public void AnOutOfMemoryErrorBecomesATypedRefusal()
    {
        var ex = Assert.Throws<MemoryBudgetExceededException>(() =>
            MemoryBudget.OfGigabytes(1).Guard<int>("demo", "the big step", () => throw new OutOfMemoryException("no room")));
        Assert.StartsWith("demo: the big step ran out of memory (no room)", ex.Message);
        Assert.Equal(-1, ex.EstimatedBytes);
        Assert.Equal(7, MemoryBudget.OfGigabytes(1).Guard("demo", "a small step", () => 7));
    }

    private sealed record DemoOptions : MemoryBoundedOptions;
}
