using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// A timer store that fights back: a real size-limited file (full disk), a file another program
/// holds locked. Nothing is silently lost, the user gets a readable refusal, retries back off and
/// the log says when the trouble starts and ends, not every second.
/// </summary>
public sealed class TimerStoreFailureTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(TimerRig.Start);

    private string Database => Path.Combine(_folder.Path, "timers.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task On_a_full_disk_scheduling_fails_with_a_readable_message_and_the_timers_set_before_are_kept()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database, new TimersOptions { TimeZone = "UTC", MaxPerUser = 100_000 }, store: new TimerStore(Database, maxBytes: 96 * 1024));
        var label = new string('x', 190);
        var set = 0;
        StorageException? full = null;
        while (full is null && set < 5_000)
        {
            Assert.True(TimerDue.TryParse("1h", out var due, out _));
            try
            {
                await rig.Timers.ScheduleAsync(new TimerRequest(due, label + set, "ann", "console"));
                set++;
            }
            catch (StorageException ex)
            {
                full = ex;
            }
        }

        Assert.NotNull(full);
        Assert.Equal($"Could not save the timer: the disk holding {Database} is full. Free some space; what was saved before is kept.", full.Message);
        Assert.True(set > 5, $"only {set} timers fitted");
        Assert.Equal(set, rig.CountInFile("pending"));

        // The service goes on: what it can still do (cancel, list) works.
        Assert.True(await rig.Timers.CancelAsync("t1", "ann"));
        Assert.Equal(set - 1, (await rig.Timers.ListAsync("ann", "console")).Count);
    }

    [Fact]
    public async Task While_the_store_fails_due_timers_are_kept_retries_back_off_and_the_log_says_so_once()
    {
        var logs = new LogRecorder();
        await using var rig = await TimerRig.StartAsync(_clock, Database, logs: logs);
        await rig.SetAsync("1m", "tea");

        using (var blocker = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            blocker.Open();
            using (var exclusive = blocker.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                exclusive.ExecuteNonQuery();
            }

            // Fails at 1:00, then retries after 1 s, 2 s, 4 s: at 1:01 and 1:03, each failing again.
            await rig.AdvanceAsync(TimeSpan.FromMinutes(1));
            await rig.AdvanceAsync(TimeSpan.FromSeconds(1));
            await rig.AdvanceAsync(TimeSpan.FromSeconds(2));
            Assert.Empty(rig.Expired);
            Assert.Equal(1, rig.CountInFile("pending"));
        }

        // Free again at 1:03, but the next try is at 1:07: backing off, not spinning every second.
        await rig.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Empty(rig.Expired);
        await rig.AdvanceAsync(TimeSpan.FromSeconds(1));
        var expired = Assert.Single(rig.Expired);
        Assert.Equal("7000", expired.Get(TimerData.LateByMs));

        var error = Assert.Single(logs.At(LogLevel.Error));
        Assert.Contains(Database, error, StringComparison.Ordinal);
        Assert.Contains("Due timers are kept", error, StringComparison.Ordinal);
        Assert.Single(logs.At(LogLevel.Information), l => l.Contains("works again after 3 failed attempt(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_hundred_timers_due_at_once_carry_out_each_effect_only_after_the_previous_one_is_recorded()
    {
        var sent = 0;
        var violations = new List<string>();
        using var reader = new SqliteConnection($"Data Source={Database};Pooling=False;Mode=ReadOnly");
        await using var rig = await TimerRig.StartAsync(_clock, Database, new TimersOptions { TimeZone = "UTC", MaxPerUser = 1_000 }, configure: rig =>
        {
            rig.Bus.Subscribe(new Host.Bus.BusSubscriber("notifier"), Events.TimerExpired, "Notify", (e, _) =>
                [new NotificationIntent($"Timer '{e.Get(TimerData.Label)}' is done.", "console", "ann")]);
            // The timer service attached its effect step in front of host routes: this route sees each effect as it is carried out.
            rig.Intents.RouteHost(typeof(NotificationIntent), new IntentRoute("channels", "notify", (_, _) =>
                {
                    // What a crash right now would repeat: effects carried out but neither recorded nor marked fired.
                    var durable = Count(reader, "SELECT COUNT(*) FROM timer_effects") + Count(reader, "SELECT COUNT(*) FROM timers WHERE state = 'fired'");
                    if (durable < sent)
                    {
                        violations.Add($"notification {sent + 1}: only {durable} of the {sent} before it are durable");
                    }

                    sent++;
                    return Task.CompletedTask;
                }));
        });
        reader.Open();
        for (var i = 0; i < 200; i++)
        {
            await rig.SetAsync("10m", $"t{i}");
        }

        await rig.AdvanceAsync(TimeSpan.FromMinutes(10));
        await WaitUntilAsync(() => rig.CountInFile("fired") == 200, rig);

        Assert.Equal(200, sent);
        Assert.Empty(violations);
    }

    private static long Count(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimerRig rig)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await rig.SettleAsync();
            await Task.Delay(10);
        }
    }
}
