using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// The durable timer service on a real SQLite file and on a real PostgreSQL database (the same tests
/// for both providers), driven by a fake clock: no sleeps.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class TimerServiceTests(PostgresCluster cluster) : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(TimerRig.Start);
    private TimerBackend? _backend;

    private string Database => Path.Combine(_folder.Path, "data", "timers.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    public void Dispose() => _folder.Dispose();

    private async Task<TimerBackend> Backend(string provider) => _backend = await TimerBackend.CreateAsync(provider, _folder.Path, cluster);

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task A_timer_fires_at_its_due_time_and_not_before(string provider)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend);
        var timer = await rig.SetAsync("5m", "tea");
        Assert.Equal(TimerRig.Start.AddMinutes(5), timer.DueAt);

        await rig.AdvanceAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(rig.Expired);

        await rig.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        var expired = Assert.Single(rig.Expired);
        Assert.Equal(timer.Id, expired.Get(TimerData.Id));
        Assert.Equal("tea", expired.Get(TimerData.Label));
        Assert.Equal("ann", expired.Get(TimerData.User));
        Assert.Equal("console", expired.Get(TimerData.Channel));
        Assert.Equal("0", expired.Get(TimerData.LateByMs));
        Assert.Equal(1, rig.CountInFile("fired"));
    }

    [Theory]
    [InlineData("sqlite", 1000)]
    [InlineData("postgres", DurableTimerService.SharedSlice)]
    public async Task A_host_alone_claims_a_burst_whole_and_a_host_on_a_shared_store_a_slice_until_it_is_dispatched(string provider, int claimedAtOnce)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend, new TimersOptions { TimeZone = "UTC", MaxPerUser = 1000 });
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => rig.SetAsync("1m", $"t{i}")));

        // The loop dispatches nothing meanwhile: what the host claimed stays claimed, undispatched.
        using var release = new ManualResetEventSlim();
        var held = rig.HoldLoopAsync(release, TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var flushed = rig.Timers.FlushAsync();
        await WaitUntilAsync(() => rig.CountInFile("firing") == claimedAtOnce);
        if (claimedAtOnce == 1000)
        {
            await flushed;
        }
        else
        {
            // A host that took more than its slice would do so at once; a flush waits for the room the reports make.
            await Task.Delay(200);
            Assert.False(flushed.IsCompleted);
        }

        Assert.Equal(claimedAtOnce, rig.CountInFile("firing"));
        Assert.Equal(1000 - claimedAtOnce, rig.CountInFile("pending"));

        // Once dispatched, the rest is claimed as the reports come in, each timer once.
        release.Set();
        await held;
        await flushed;
        await rig.WaitForExpiriesAsync(1000);
        await rig.SettleAsync();
        Assert.Equal(1000, rig.Expired.Select(e => e.Get(TimerData.Id)).Distinct().Count());
        Assert.Equal(1000, rig.CountInFile("fired"));
    }

    [Fact]
    public async Task A_host_on_a_shared_store_that_dispatched_slowly_holds_only_what_it_gets_through_in_the_window()
    {
        var backend = await Backend("postgres");
        await using var rig = await TimerRig.StartAsync(_clock, backend, new TimersOptions { TimeZone = "UTC", MaxPerUser = 1000 });
        await Task.WhenAll(Enumerable.Range(0, DurableTimerService.SharedSlice).Select(i => rig.SetAsync("1m", $"first{i}")));

        // Unmeasured, the host takes its whole slice; its loop then needs 50 ms (fake) for those 100 expiries: 2 per ms.
        using (var release = new ManualResetEventSlim())
        {
            var held = rig.HoldLoopAsync(release, TimeSpan.FromSeconds(30));
            _clock.Advance(TimeSpan.FromMinutes(1));
            await WaitUntilAsync(() => rig.CountInFile("firing") == DurableTimerService.SharedSlice);
            _clock.Advance(TimeSpan.FromMilliseconds(ClaimBudget.SampleMs));
            release.Set();
            await held;
            await rig.WaitForExpiriesAsync(DurableTimerService.SharedSlice);
            await rig.SettleAsync();
        }

        // Now it claims at most what it dispatches in the window at that pace, and leaves the rest to other hosts.
        var most = (int)Math.Ceiling(DurableTimerService.SharedSlice / (double)ClaimBudget.SampleMs * ClaimBudget.WindowMs);
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => rig.SetAsync("1m", $"second{i}")));
        using (var release = new ManualResetEventSlim())
        {
            var held = rig.HoldLoopAsync(release, TimeSpan.FromSeconds(30));
            _clock.Advance(TimeSpan.FromMinutes(1));
            var flushed = rig.Timers.FlushAsync();
            await WaitUntilAsync(() => rig.CountInFile("firing") > 0);
            await Task.Delay(200);
            Assert.InRange(rig.CountInFile("firing"), ClaimBudget.Least, most);
            Assert.Equal(100 - rig.CountInFile("firing"), rig.CountInFile("pending"));
            release.Set();
            await held;
            await flushed;
        }

        await rig.WaitForExpiriesAsync(DurableTimerService.SharedSlice + 100);
        await rig.SettleAsync();
        Assert.Equal(200, rig.Expired.Select(e => e.Get(TimerData.Id)).Distinct().Count());
        Assert.Equal(200, rig.CountInFile("fired"));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task An_earlier_timer_added_later_fires_first(string provider)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend);
        await rig.SetAsync("10m", "late");
        await rig.SetAsync("2m", "early");

        await rig.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(["early"], rig.ExpiredLabels);

        await rig.AdvanceAsync(TimeSpan.FromMinutes(8));
        Assert.Equal(["early", "late"], rig.ExpiredLabels);
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task Cancel_by_id_or_label_prevents_firing(string provider)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend);
        var tea = await rig.SetAsync("1m", "tea");
        await rig.SetAsync("2m", "eggs");
        await rig.SetAsync("3m", "bread", user: "bob");

        Assert.True(await rig.Timers.CancelAsync(tea.Id, "ann"));
        Assert.True(await rig.Timers.CancelAsync("EGGS", "ann"));
        Assert.False(await rig.Timers.CancelAsync("eggs", "ann"));
        Assert.False(await rig.Timers.CancelAsync("bread", "ann"));
        Assert.False(await rig.Timers.CancelAsync("t999", "ann"));

        await rig.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(["bread"], rig.ExpiredLabels);
        Assert.Equal(2, rig.CountInFile("cancelled"));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task List_shows_the_users_timers_on_the_channel_soonest_first_with_their_due_time(string provider)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend);
        await rig.SetAsync("10m", "pasta");
        await rig.SetAsync("5m", "tea");
        await rig.SetAsync("1m", "elsewhere", channel: "http");
        await rig.SetAsync("1m", "not mine", user: "bob");

        await rig.AdvanceAsync(TimeSpan.FromMinutes(1));
        var timers = await rig.Timers.ListAsync("ann", "console");

        Assert.Equal(["tea", "pasta"], timers.Select(t => t.Label));
        var now = _clock.GetUtcNow();
        Assert.Equal([TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(9)], timers.Select(t => t.DueAt - now));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task A_thousand_timers_due_at_the_same_instant_each_fire_exactly_once(string provider)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend, new TimersOptions { TimeZone = "UTC", MaxPerUser = 1000 });
        var set = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => rig.SetAsync("1m", $"t{i}")));
        Assert.Single(set.Select(t => t.DueAt).Distinct());

        await rig.AdvanceAsync(TimeSpan.FromMinutes(1));
        await rig.AdvanceAsync(TimeSpan.FromHours(1));

        var ids = rig.Expired.Select(e => e.Get(TimerData.Id)).ToList();
        Assert.Equal(1000, ids.Count);
        Assert.Equal(set.Select(t => t.Id).Order(), ids.Distinct().Order());
        Assert.Equal(1000, rig.CountInFile("fired"));
        Assert.Equal(0, rig.CountInFile("firing"));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task Limits_from_the_options_are_refused_with_the_reason(string provider)
    {
        var backend = await Backend(provider);
        var options = new TimersOptions { TimeZone = "UTC", MaxPerUser = 2, MaxDuration = TimeSpan.FromHours(1) };
        await using var rig = await TimerRig.StartAsync(_clock, backend, options);
        await rig.SetAsync("1m", "one");
        await rig.SetAsync("2m", "two");

        var third = await rig.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(3)), "three", "ann", "console"));
        var tooLong = await rig.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromHours(2)), "long", "bob", "console"));
        var othersStillMay = await rig.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(3)), "bob's", "bob", "console"));

        Assert.False(third.Scheduled);
        Assert.Contains("2 timers running", third.Refusal, StringComparison.Ordinal);
        Assert.Contains("timers:maxPerUser", third.Refusal, StringComparison.Ordinal);
        Assert.False(tooLong.Scheduled);
        Assert.Contains("2 h 0 min is longer than the longest timer allowed here (1 h 0 min, timers:maxDuration)", tooLong.Refusal, StringComparison.Ordinal);
        Assert.True(othersStillMay.Scheduled);
        Assert.Equal(3, rig.CountInFile("pending"));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task A_huge_label_or_follow_up_is_refused_with_the_limit_and_nothing_is_stored(string provider)
    {
        var backend = await Backend(provider);
        await using var rig = await TimerRig.StartAsync(_clock, backend);
        var in5 = TimerDue.In(TimeSpan.FromMinutes(5));

        var hugeLabel = await rig.Timers.ScheduleAsync(new TimerRequest(in5, new string('x', 10_000_000), "ann", "console"));
        var hugeFollowUp = await rig.Timers.ScheduleAsync(new TimerRequest(in5, "tea", "ann", "console", new string('y', 2001)));
        var longest = await rig.Timers.ScheduleAsync(new TimerRequest(in5, new string('z', 200), "ann", "console", new string('y', 2000)));

        Assert.False(hugeLabel.Scheduled);
        Assert.Equal("A timer's label may have at most 200 characters; this one has 10,000,000.", hugeLabel.Refusal);
        Assert.False(hugeFollowUp.Scheduled);
        Assert.Contains("follow-up may have at most 2,000 characters", hugeFollowUp.Refusal, StringComparison.Ordinal);
        Assert.True(longest.Scheduled);
        Assert.Equal(1, rig.CountInFile("pending"));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task An_alarm_is_due_the_next_time_the_configured_zone_shows_that_time(string provider)
    {
        var backend = await Backend(provider);
        // 12:00 UTC is 07:00 in New York (EST, -05:00).
        await using var rig = await TimerRig.StartAsync(_clock, backend, new TimersOptions { TimeZone = "America/New_York" });

        var soon = await rig.SetAsync("07:30", "stretch");
        var tomorrow = await rig.SetAsync("7am", "wake up");

        Assert.Equal(new DateTimeOffset(2026, 11, 24, 7, 30, 0, TimeSpan.FromHours(-5)), soon.DueAt);
        Assert.Equal(TimeSpan.FromHours(-5), soon.DueAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 7, 0, 0, TimeSpan.FromHours(-5)), tomorrow.DueAt);

        await rig.AdvanceAsync(TimeSpan.FromMinutes(30));
        Assert.Equal(["stretch"], rig.ExpiredLabels);
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task A_pending_timer_survives_a_restart_and_fires_once(string provider)
    {
        var backend = await Backend(provider);
        await using (var first = await TimerRig.StartAsync(_clock, backend))
        {
            await first.SetAsync("5m", "tea");
        }

        await using var second = await TimerRig.StartAsync(_clock, backend);
        Assert.Empty(second.Expired);
        Assert.Equal(["tea"], (await second.Timers.ListAsync("ann", "console")).Select(t => t.Label));

        await second.AdvanceAsync(TimeSpan.FromMinutes(5));
        await second.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(["tea"], second.ExpiredLabels);
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task Timers_due_while_the_host_was_down_fire_once_at_start_marked_late(string provider)
    {
        var backend = await Backend(provider);
        await using (var first = await TimerRig.StartAsync(_clock, backend))
        {
            await first.SetAsync("1m", "tea");
            await first.SetAsync("2m", "eggs");
            await first.SetAsync("1h", "later");
        }

        _clock.Advance(TimeSpan.FromMinutes(10));
        await using var second = await TimerRig.StartAsync(_clock, backend);

        Assert.Equal(["tea", "eggs"], second.ExpiredLabels);
        Assert.Equal(["540000", "480000"], second.Expired.Select(e => e.Get(TimerData.LateByMs)));

        await second.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(["tea", "eggs"], second.ExpiredLabels);
        Assert.Equal(2, second.CountInFile("fired"));
        Assert.Equal(1, second.CountInFile("pending"));
    }

    [Theory]
    [MemberData(nameof(TimerBackend.Providers), MemberType = typeof(TimerBackend))]
    public async Task A_timer_left_firing_by_a_crash_is_delivered_again_at_start(string provider)
    {
        var backend = await Backend(provider);
        // The state a crash leaves between "pending -> firing" and "fired".
        var now = TimerRig.Start.ToUnixTimeMilliseconds();
        using (var store = backend.CreateStore(_clock))
        {
            store.Open();
            store.Insert("tea", "ann", "console", null, now - 1_000, now - 60_000);
            Assert.Single(store.ClaimDue(now, 10));
        }

        await using var rig = await TimerRig.StartAsync(_clock, backend);

        var expired = Assert.Single(rig.Expired);
        Assert.Equal("t1", expired.Get(TimerData.Id));
        Assert.Equal("1000", expired.Get(TimerData.LateByMs));
        Assert.Equal(1, rig.CountInFile("fired"));
    }

    [Fact]
    public async Task A_second_host_on_the_same_timer_file_is_refused_while_the_first_runs()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);

        using var second = new TimerStore(Database);
        var error = Assert.Throws<AgentPlugins.Host.Storage.StorageException>(() => second.Open());
        Assert.Contains("Another host is running on the data folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_file_cannot_be_written_the_timer_fires_on_a_later_retry_not_never()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        await rig.SetAsync("1m", "tea");

        // Another writer holds the file: claiming the due timer fails once the store's busy timeout (about 1 s, real time) runs out.
        using (var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            blocker.Open();
            using var exclusive = blocker.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            exclusive.ExecuteNonQuery();

            await rig.AdvanceAsync(TimeSpan.FromMinutes(1));
            Assert.Empty(rig.Expired);
            Assert.Equal(1, rig.CountInFile("pending"));
        }

        await rig.AdvanceAsync(TimeSpan.FromSeconds(1));
        var expired = Assert.Single(rig.Expired);
        Assert.Equal("1000", expired.Get(TimerData.LateByMs));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not hold in time.");
            }

            await Task.Delay(10);
        }
    }
}
