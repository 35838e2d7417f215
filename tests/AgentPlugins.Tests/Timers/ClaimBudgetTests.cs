using AgentPlugins.Host.Timers;

namespace AgentPlugins.Tests.Timers;

/// <summary>The claim budget of a host on a shared store: its pace measured only while it has expiries in flight.</summary>
public sealed class ClaimBudgetTests
{
    [Fact]
    public void Unmeasured_a_host_may_hold_the_most()
    {
        var budget = new ClaimBudget(100);
        Assert.Equal(100, budget.Limit);
        Assert.True(double.IsNaN(budget.PerMs));
    }

    [Fact]
    public void The_limit_is_what_the_host_dispatches_in_the_window_at_its_pace()
    {
        var budget = new ClaimBudget(100);
        budget.Observe(1000, 0, 0);
        budget.Observe(1100, 100, 100);

        Assert.Equal(1.0, budget.PerMs);
        Assert.Equal((int)ClaimBudget.WindowMs, budget.Limit);
    }

    [Fact]
    public void Idle_time_is_not_counted_against_the_pace()
    {
        var budget = new ClaimBudget(100);
        budget.Observe(0, 0, 0);

        // Idle for 10 s, then 60 expiries dispatched in 60 ms: 1 per ms, not 60 in 10 s.
        budget.Observe(10_000, 0, 0);
        budget.Observe(10_060, 60, 60);

        Assert.Equal(1.0, budget.PerMs);
    }

    [Fact]
    public void A_sample_spans_enough_busy_time_and_samples_are_smoothed()
    {
        var budget = new ClaimBudget(100);
        budget.Observe(0, 0, 0);
        budget.Observe(10, 40, 50);
        Assert.True(double.IsNaN(budget.PerMs));
        Assert.Equal(100, budget.Limit);

        budget.Observe(50, 60, 10);
        Assert.Equal(2.0, budget.PerMs);

        budget.Observe(150, 100, 100);
        Assert.Equal(1.5, budget.PerMs);
        Assert.Equal(30, budget.Limit);
    }

    [Fact]
    public void The_limit_stays_between_the_least_and_the_most()
    {
        var slow = new ClaimBudget(100);
        slow.Observe(0, 0, 0);
        slow.Observe(1000, 1, 1);
        Assert.Equal(ClaimBudget.Least, slow.Limit);

        var fast = new ClaimBudget(100);
        fast.Observe(0, 0, 0);
        fast.Observe(50, 5000, 5000);
        Assert.Equal(100, fast.Limit);
    }

    [Fact]
    public void A_most_below_the_least_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClaimBudget(ClaimBudget.Least - 1));
}
