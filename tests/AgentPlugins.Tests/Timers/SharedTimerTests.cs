using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// Several hosts on one PostgreSQL database, in one process on a fake clock: each due timer is fired by
/// exactly one host, a host's claims hold while it renews them and pass to another host when it dies or
/// stops, and a host asleep is woken by another host's notification rather than by polling.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedTimerTests(PostgresCluster cluster) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(TimerRig.Start);
    private TimerBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TimerBackend.CreateAsync("postgres", _folder.Path, cluster);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_thousand_timers_due_together_on_three_hosts_each_fire_exactly_once_in_all()
    {
        var options = new TimersOptions { TimeZone = "UTC", MaxPerUser = 1000 };
        await using var a = await TimerRig.StartAsync(_clock, _backend, options, hostId: "a");
        await using var b = await TimerRig.StartAsync(_clock, _backend, options, hostId: "b");
        await using var c = await TimerRig.StartAsync(_clock, _backend, options, hostId: "c");
        var set = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => (i % 3 == 0 ? a : i % 3 == 1 ? b : c).SetAsync("1m", $"t{i}")));

        _clock.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => _backend.Count("fired") == 1000);
        await Task.WhenAll(a.SettleAsync(), b.SettleAsync(), c.SettleAsync());

        var fired = a.Expired.Concat(b.Expired).Concat(c.Expired).Select(e => e.Get(TimerData.Id)).ToList();
        Assert.Equal(set.Select(t => t.Id).Order(), fired.Order());
        Assert.Equal(0, _backend.Count("firing"));
    }

    [Fact]
    public async Task A_host_asleep_is_woken_by_another_hosts_earlier_timer_without_polling()
    {
        await using var sleeper = await TimerRig.StartAsync(_clock, _backend, hostId: "sleeper");
        await using var setter = await TimerRig.StartAsync(_clock, _backend, hostId: "setter");

        // The setter schedules but does not fire: only the sleeper can, and only if it heard of the timer.
        setter.Timers.StopFiring();
        await setter.SetAsync("1m", "tea");
        _clock.Advance(TimeSpan.FromMinutes(1));

        await WaitUntilAsync(() => !sleeper.Expired.IsEmpty);
        await sleeper.SettleAsync();
        Assert.Equal(["tea"], sleeper.ExpiredLabels);
        Assert.Empty(setter.Expired);
        Assert.Equal(1, _backend.Count("fired"));
    }

    [Fact]
    public async Task A_claim_holds_while_renewed_and_passes_on_after_the_lease_lapses_when_its_host_dies()
    {
        var now = TimerRig.Start.ToUnixTimeMilliseconds();
        // The dying host's own clock drives its renewals: once it stops moving, the host is dead to the others.
        var dyingClock = new FakeTimeProvider(TimerRig.Start);
        var dying = _backend.CreateStore(dyingClock, "dying", Lease);
        var other = _backend.CreateStore(_clock, "other", Lease);
        try
        {
            dying.Open();
            other.Open();
            dying.Insert("tea", "ann", "console", null, now, now - 1_000);
            Assert.Single(dying.ClaimDue(now, 10));
            dying.RecordEffect("t1", "notify:console:ann#1", now);

            // Renewed every third of the lease: long past the first lease, the claim still holds.
            for (var i = 0; i < 9; i++)
            {
                _clock.Advance(TimeSpan.FromSeconds(10));
                dyingClock.Advance(TimeSpan.FromSeconds(10));
                await WaitUntilAsync(() => (other.EarliestPendingDue() ?? 0) > _clock.GetUtcNow().ToUnixTimeMilliseconds());
            }

            Assert.Empty(other.ClaimDue(_clock.GetUtcNow().ToUnixTimeMilliseconds(), 10));

            // The host dies: no release, no more renewals. Once the lease lapses the other host takes it, effects known.
            var lapse = other.EarliestPendingDue()!.Value;
            Assert.Empty(other.ClaimDue(lapse - 2, 10));
            var taken = Assert.Single(other.ClaimDue(lapse, 10));
            Assert.True(taken.Reclaimed);
            Assert.Equal([("t1", "notify:console:ann#1")], other.Effects([taken.Id]));

            // The dead host's late report changes nothing: the timer is the other host's now.
            dying.MarkFired(taken.Id, lapse);
            Assert.Equal(1, _backend.Count("firing"));
            other.MarkFired(taken.Id, lapse);
            Assert.Equal(1, _backend.Count("fired"));
            Assert.Empty(other.Effects());
        }
        finally
        {
            other.Dispose();
            dying.Dispose();
        }
    }

    [Fact]
    public async Task A_timer_is_claimed_a_moment_ahead_and_delivered_at_its_due_time_not_before()
    {
        await using var host = await TimerRig.StartAsync(_clock, _backend, hostId: "early");
        await host.SetAsync("1m", "tea");
        var half = TimeSpan.FromMilliseconds(PostgresTimerStore.AheadMs / 2);

        // Half the claim window before it is due, the host takes the timer (it is no longer pending) and holds it.
        await host.AdvanceAsync(TimeSpan.FromMinutes(1) - half);
        Assert.Equal(1, _backend.CountFiringBy("early"));
        Assert.Equal(0, _backend.Count("pending"));
        Assert.Empty(host.Expired);

        await host.AdvanceAsync(half - TimeSpan.FromMilliseconds(1));
        Assert.Empty(host.Expired);

        await host.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        var expired = Assert.Single(host.Expired);
        Assert.Equal("0", expired.Get(TimerData.LateByMs));
        Assert.Equal(1, _backend.Count("fired"));
    }

    [Fact]
    public async Task A_claim_reaches_the_window_ahead_and_says_when_to_claim_next()
    {
        var now = TimerRig.Start.ToUnixTimeMilliseconds();
        using var store = _backend.CreateStore(_clock, "window", Lease);
        store.Open();
        store.Insert("inside", "ann", "console", null, now + PostgresTimerStore.AheadMs, now);
        store.Insert("beyond", "ann", "console", null, now + PostgresTimerStore.AheadMs + 1, now);

        Assert.Equal(["inside"], store.ClaimDue(now, 10).Select(t => t.Label));
        Assert.Equal(now + PostgresTimerStore.AheadMs + 1 - (PostgresTimerStore.AheadMs / 2), store.EarliestPendingDue());
    }

    [Fact]
    public async Task A_transaction_sent_in_one_round_trip_needs_no_begin_or_commit_and_stays_atomic()
    {
        var now = TimerRig.Start.ToUnixTimeMilliseconds();
        var connectionString = await cluster.CreateDatabaseAsync();
        await cluster.LogStatementsAsync(connectionString);
        await using var database = new AgentPlugins.Host.Storage.Postgres.PostgresDatabase(connectionString);
        using var store = new PostgresTimerStore(database, new AgentPlugins.Host.Storage.Postgres.HostIdentity("one"), Lease, _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresTimerStore>.Instance);
        store.Open();
        store.Insert("tea", "ann", "console", null, now, now - 1_000);
        store.Insert("eggs", "ann", "console", null, now, now - 1_000);
        var claimed = store.ClaimDue(now, 10);

        // An expiry's commit: its effect record and fired mark, nothing asked back, go out as one batch, one statement each.
        var from = cluster.LogPosition;
        store.Begin();
        store.RecordEffect(StoredTimer.FormatId(claimed[0].Id), "notify:console:ann#1", now);
        store.MarkFired(claimed[0].Id, now);
        store.Commit();
        var logged = cluster.LoggedStatements(connectionString, from);
        Assert.Equal(2, logged.Count);
        Assert.DoesNotContain(logged, s => s.StartsWith("BEGIN", StringComparison.Ordinal) || s.StartsWith("COMMIT", StringComparison.Ordinal));

        // Still one transaction: a statement failing in the batch takes the statements before it back with it.
        store.Begin();
        store.MarkFired(claimed[1].Id, now);
        store.RecordEffect(StoredTimer.FormatId(claimed[1].Id), "notify:console:ann#1", now);
        store.RecordEffect(StoredTimer.FormatId(claimed[1].Id), "\0", now);
        Assert.ThrowsAny<Npgsql.NpgsqlException>(store.Commit);
        store.Rollback();
        Assert.Equal(1, CountFired(connectionString));
        Assert.Empty(store.Effects());

        // A transaction that reads midway sends BEGIN with its first round trip, and COMMIT with its last.
        from = cluster.LogPosition;
        store.Begin();
        Assert.Equal(0, store.CountPending("ann"));
        store.MarkFired(claimed[1].Id, now);
        store.Commit();
        logged = cluster.LoggedStatements(connectionString, from);
        Assert.Equal("BEGIN", logged[0]);
        Assert.Equal("COMMIT", logged[^1]);
        Assert.Equal(2, CountFired(connectionString));
    }

    private static long CountFired(string connectionString)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM timers WHERE state = 'fired'", connection);
        return (long)count.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_host_that_stops_cleanly_releases_its_claims_and_the_others_are_told_at_once()
    {
        var now = TimerRig.Start.ToUnixTimeMilliseconds();
        await using var taker = await TimerRig.StartAsync(_clock, _backend, hostId: "taker");
        using (var leaving = _backend.CreateStore(_clock, "leaving", Lease))
        {
            // Due a minute ahead of the shared clock, claimed on the leaving host's say-so: the taker, told of it, cannot take it first.
            leaving.Open();
            leaving.Insert("tea", "ann", "console", null, now + 60_000, now - 1_000);
            Assert.Single(leaving.ClaimDue(now + 60_000, 10));
        }

        // The release's notification alone wakes the taker, long before the lease would lapse: it claims the timer
        // at once, and holds it until its due time (a minute on, when the leaving host's lease still had 30 s to run).
        await WaitUntilAsync(() => _backend.CountFiringBy("taker") == 1);
        await taker.SettleAsync();
        Assert.Empty(taker.Expired);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => !taker.Expired.IsEmpty);
        await taker.SettleAsync();
        Assert.Equal(["tea"], taker.ExpiredLabels);
        Assert.Equal(1, _backend.Count("fired"));
    }

    [Fact]
    public async Task A_timer_is_cancelled_by_any_host_and_listed_by_all()
    {
        await using var a = await TimerRig.StartAsync(_clock, _backend, hostId: "a");
        await using var b = await TimerRig.StartAsync(_clock, _backend, hostId: "b");
        var tea = await a.SetAsync("5m", "tea");
        await b.SetAsync("6m", "eggs");

        Assert.Equal(["tea", "eggs"], (await a.Timers.ListAsync("ann", "console")).Select(t => t.Label));
        Assert.Equal(["tea", "eggs"], (await b.Timers.ListAsync("ann", "console")).Select(t => t.Label));
        Assert.True(await b.Timers.CancelAsync(tea.Id, "ann"));
        Assert.False(await a.Timers.CancelAsync(tea.Id, "ann"));

        _clock.Advance(TimeSpan.FromMinutes(10));
        await WaitUntilAsync(() => _backend.Count("fired") == 1);
        Assert.Equal(["eggs"], a.ExpiredLabels.Concat(b.ExpiredLabels));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
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
