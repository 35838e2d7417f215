using System.Diagnostics;
using AgentPlugins.Host.Roles.Watching;

namespace AgentPlugins.Tests.Reload;

public sealed class AdaptiveDebounceTests
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromMilliseconds(25);
    private const string Role = "/roles/timer.cs";

    // Timestamps are made up (the debounce only compares them), so the tests do not depend on timing.
    private static long At(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);

    [Fact]
    public void A_file_seen_for_the_first_time_waits_the_configured_debounce()
    {
        var debounce = new AdaptiveDebounce(Ceiling);

        Assert.Equal(Ceiling, debounce.Observe(Role, At(1_000)));
    }

    [Fact]
    public void Saves_written_in_one_go_shrink_the_wait_to_the_floor()
    {
        var debounce = new AdaptiveDebounce(Ceiling);
        var now = 1_000.0;
        for (var save = 0; save < 6; save++)
        {
            // Truncate and write: two events a few microseconds apart.
            debounce.Observe(Role, At(now));
            debounce.Observe(Role, At(now + 0.01));
            debounce.Settle(Role);
            now += 1_000;
        }

        Assert.Equal(AdaptiveDebounce.Floor, debounce.WindowFor(Role));
    }

    [Fact]
    public void An_editor_that_writes_in_steps_gets_twice_its_longest_gap()
    {
        var debounce = new AdaptiveDebounce(TimeSpan.FromMilliseconds(100));
        var now = 1_000.0;
        for (var save = 0; save < 6; save++)
        {
            debounce.Observe(Role, At(now));
            debounce.Settle(Role);
            now += 1_000;
        }

        Assert.Equal(AdaptiveDebounce.Floor, debounce.WindowFor(Role));

        // A burst whose events come 12 ms apart: while it runs, the wait covers the gap.
        Assert.Equal(AdaptiveDebounce.Floor, debounce.Observe(Role, At(now)));
        Assert.Equal(TimeSpan.FromMilliseconds(24), debounce.Observe(Role, At(now + 12)));
        Assert.Equal(TimeSpan.FromMilliseconds(24), debounce.Observe(Role, At(now + 24)));
        debounce.Settle(Role);

        // The next save waits that long from its first event on.
        Assert.Equal(TimeSpan.FromMilliseconds(24), debounce.WindowFor(Role));
    }

    [Fact]
    public void A_burst_taken_as_over_too_soon_puts_the_wait_back_to_the_configured_debounce()
    {
        var debounce = new AdaptiveDebounce(Ceiling);
        var now = 1_000.0;
        for (var save = 0; save < 6; save++)
        {
            debounce.Observe(Role, At(now));
            debounce.Settle(Role);
            now += 1_000;
        }

        // The wait was 5 ms; the editor's second write came 8 ms after its first, after the burst was taken as over.
        debounce.Observe(Role, At(now));
        debounce.Settle(Role);
        debounce.Observe(Role, At(now + 8));

        Assert.Equal(Ceiling, debounce.Observe(Role, At(now + 9)));
        debounce.Settle(Role);
        Assert.Equal(TimeSpan.FromMilliseconds(12.5), debounce.WindowFor(Role));
    }

    [Fact]
    public void The_wait_never_exceeds_the_configured_debounce_and_each_file_learns_on_its_own()
    {
        var debounce = new AdaptiveDebounce(Ceiling);
        debounce.Observe(Role, At(1_000));
        Assert.Equal(Ceiling, debounce.Observe(Role, At(1_020)));
        debounce.Settle(Role);

        Assert.Equal(Ceiling, debounce.WindowFor(Role));
        Assert.Equal(Ceiling, debounce.WindowFor("/roles/other.cs"));
    }

    [Fact]
    public void Settle_returns_the_first_event_of_the_burst()
    {
        var debounce = new AdaptiveDebounce(Ceiling);
        debounce.Observe(Role, At(1_000));
        debounce.Observe(Role, At(1_003));

        Assert.Equal(At(1_000), debounce.Settle(Role));
    }

    [Fact]
    public void A_debounce_of_zero_never_waits()
    {
        var debounce = new AdaptiveDebounce(TimeSpan.Zero);

        Assert.Equal(TimeSpan.Zero, debounce.Observe(Role, At(1_000)));
        Assert.Equal(TimeSpan.Zero, debounce.Observe(Role, At(1_001)));
    }
}
