using AgentPlugins.Host.Timers;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Tests.Storage;

/// <summary>
/// The real <c>bin/host</c> on data folders that fight back: damaged files, a second host, a bad
/// environment variable, a real 2 MB tmpfs that fills up (mounted in a user namespace with
/// <c>unshare</c>). Real clock, real processes.
/// </summary>
public sealed class HostStorageTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    public HostStorageTests()
    {
        TimerHostFolder.Write(_folder);
    }

    private string Config => Path.Combine(_folder.Path, "plugins.json");

    private string Data => Path.Combine(_folder.Path, "data");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("truncated", "is damaged")]
    [InlineData("empty", "is empty (0 bytes)")]
    [InlineData("foreign", "an SQLite file of another program")]
    public async Task A_damaged_or_foreign_timers_file_stops_the_host_with_one_line_and_exit_code_1(string damage, string expected)
    {
        var timers = Path.Combine(Data, "timers.db");
        switch (damage)
        {
            case "truncated":
                using (var store = new TimerStore(timers))
                {
                    store.Open();
                    store.Begin();
                    for (var i = 0; i < 3_000; i++)
                    {
                        store.Insert($"a timer with a label that takes some room, number {i}", "ann", "console", null, long.MaxValue / 2, 0);
                    }

                    store.Commit();
                }

                Checkpoint(timers);
                using (var stream = new FileStream(timers, FileMode.Open))
                {
                    stream.SetLength(stream.Length / 2);
                }

                break;
            case "empty":
                Directory.CreateDirectory(Data);
                File.WriteAllBytes(timers, []);
                break;
            default:
                Directory.CreateDirectory(Data);
                Execute(timers, "CREATE TABLE photos (name TEXT)");
                break;
        }

        await using var host = HostProcess.Start(_folder.Path, "run", "--config", Config);
        var exit = await host.WaitForExitAsync(Patience);

        Assert.Equal(1, exit);
        var error = Assert.Single(host.Stderr, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(timers, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("docs/configuration.md", error, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Stderr, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_host_on_the_same_folder_is_refused_even_after_every_file_but_the_databases_is_deleted()
    {
        await using var first = HostProcess.Start(_folder.Path, "run", "--config", Config);
        await first.SendAsync("/timer list_timers");
        await first.WaitForStdoutAsync(l => l.Contains("No timers running.", StringComparison.Ordinal), Patience);
        foreach (var file in Directory.GetFiles(Data).Where(f => !f.EndsWith(".db", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        await using var second = HostProcess.Start(_folder.Path, "run", "--config", Config);
        var exit = await second.WaitForExitAsync(Patience);

        Assert.Equal(1, exit);
        Assert.Contains(second.Stderr, l => l == $"error: Another host is running on the data folder {Data} (it is locked): run one host per data folder (storage:dataFolder, or --data).");
        await first.SendAsync("/timer list_timers");
        Assert.Equal(2, (await WaitForCountAsync(first, l => l.Contains("No timers running.", StringComparison.Ordinal), 2)).Count);
    }

    [Fact]
    public async Task A_read_only_data_folder_stops_the_host_with_one_line_naming_the_file_and_exit_code_1()
    {
        // A real read-only mount of the data folder (a bind mount in a private mount namespace), so
        // root's permission to write anyway does not apply.
        Directory.CreateDirectory(Data);
        string[] wrapper = ["unshare", "-rm", "sh", "-c", "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"", Data];
        await using var host = HostProcess.Start(_folder.Path, null, wrapper, "run", "--config", Config);

        Assert.Equal(1, await host.WaitForExitAsync(Patience));
        var error = Assert.Single(host.Stderr, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(Data, error, StringComparison.Ordinal);
        Assert.Contains("cannot be read or written", error, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Stderr, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_environment_value_is_blamed_on_the_environment_variable()
    {
        var environment = new Dictionary<string, string> { ["AGENTPLUGINS_TIMERS__MAXPERUSER"] = "abc" };
        await using var host = HostProcess.Start(_folder.Path, environment, "run", "--config", Config);

        Assert.Equal(1, await host.WaitForExitAsync(Patience));
        var error = Assert.Single(host.Stderr, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith("error: environment variable AGENTPLUGINS_TIMERS__MAXPERUSER: ", error, StringComparison.Ordinal);
        Assert.Contains("abc", error, StringComparison.Ordinal);
        Assert.DoesNotContain("plugins.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_full_tmpfs_a_new_timer_is_refused_in_the_log_due_timers_wait_quietly_and_the_list_shows_no_negative_time()
    {
        // A real 2 MB tmpfs as the data folder, in a private mount namespace (no root needed beyond user namespaces).
        Directory.CreateDirectory(Data);
        // Most of it is taken by a filler file first, so a few dozen timers (labels are capped) fill the rest.
        string[] wrapper = ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=2m tmpfs \"$0\" && head -c 1700k /dev/zero > \"$0/filler\" && exec \"$@\"", Data];
        await using var host = HostProcess.Start(_folder.Path, null, wrapper, "run", "--config", Config);
        await host.SendAsync("/timer set_timer 3s early");
        await host.WaitForStdoutAsync(l => l.StartsWith("[notify] Timer 'early' set", StringComparison.Ordinal), Patience);

        // Fill the disk with timers whose labels are as long as allowed, until the store says it is full.
        var label = new string('x', 190);
        for (var i = 0; i < 3000 && !host.Stderr.Any(l => l.Contains("is full", StringComparison.Ordinal)); i++)
        {
            await host.SendAsync($"/timer set_timer 1h {label}{i}");
            await Task.Delay(10);
        }

        var full = await WaitForStderrAsync(host, l => l.Contains("Could not save the timer: the disk holding", StringComparison.Ordinal));
        Assert.Contains($"{Data}/timers.db is full. Free some space; what was saved before is kept.", full, StringComparison.Ordinal);

        // "early" comes due on the full disk: whether or not it can be marked fired, no line every second.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.True(host.Stderr.Count(l => l.Contains("Due timers are kept", StringComparison.Ordinal)) <= 1);
        await host.SendAsync("/timer list_timers");
        var list = await host.WaitForStdoutAsync(l => l.Contains(" left", StringComparison.Ordinal) || l.Contains("about to fire", StringComparison.Ordinal), Patience);
        Assert.DoesNotContain("-", list.Split(':', 2)[0], StringComparison.Ordinal);
        Assert.DoesNotMatch(@"-\d+ \w+ left", list);
    }

    private static async Task<string> WaitForStderrAsync(HostProcess host, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (host.Stderr.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("stderr:\n" + string.Join('\n', host.Stderr));
    }

    private static async Task<IReadOnlyList<string>> WaitForCountAsync(HostProcess host, Func<string, bool> match, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (host.Stdout.Count(match) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "stdout:\n" + string.Join('\n', host.Stdout));
            await Task.Delay(50);
        }

        return [.. host.Stdout.Where(match)];
    }

    private static void Checkpoint(string path) => Execute(path, "PRAGMA wal_checkpoint(TRUNCATE)");

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
