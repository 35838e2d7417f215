using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Timers;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Tests.Storage;

/// <summary>
/// Opening a data file refuses what is not ours or is damaged, with one line that names the file and
/// the fix; real SQLite files, really truncated or overwritten.
/// </summary>
public sealed class StoreFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private string TimersDb => Path.Combine(_folder.Path, "timers.db");

    [Fact]
    public void The_notification_outbox_is_checked_like_every_data_file()
    {
        var outbox = _folder.Write("outbox.db", "not a database, and far too short to be one");

        var refused = Assert.Throws<StorageException>(() => Host.Notifications.NotificationOutbox.Open(
            outbox, new Host.Configuration.OutboxOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Host.Notifications.NotificationOutbox>.Instance));

        Assert.Contains(outbox, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_file_is_marked_as_ours_versioned_with_incremental_vacuum_and_listed()
    {
        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
        }

        Assert.Equal(TimerStore.Schema.ApplicationId, Pragma(TimersDb, "application_id"));
        Assert.Equal(TimerStore.Schema.Version, Pragma(TimersDb, "user_version"));
        Assert.Equal(2, Pragma(TimersDb, "auto_vacuum"));
        Assert.Contains("timers.db", File.ReadAllLines(Path.Combine(_folder.Path, DataFileManifest.FileName)));
    }

    [Fact]
    public void An_empty_file_is_refused_naming_the_file_and_the_fix()
    {
        File.WriteAllBytes(TimersDb, []);

        var error = OpenFails();

        Assert.Contains(TimersDb, error.Message, StringComparison.Ordinal);
        Assert.Contains("is empty (0 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Contains("docs/configuration.md", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(TimersDb).Length);
    }

    [Fact]
    public void A_file_the_host_had_written_that_is_now_empty_or_missing_is_refused_ids_are_not_reused()
    {
        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
            store.Insert("tea", "ann", "console", null, 1_000, 0);
        }

        File.Delete(TimersDb);
        var missing = OpenFails();
        Assert.Contains("is missing, but this data folder had one", missing.Message, StringComparison.Ordinal);

        File.WriteAllBytes(TimersDb, []);
        var empty = OpenFails();
        Assert.Contains("although the host had written it", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_SQLite_is_refused()
    {
        File.WriteAllText(TimersDb, "these are my notes, not a database\n");

        var error = OpenFails();

        Assert.Contains("is not an SQLite file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_SQLite_file_of_another_program_is_refused_and_left_as_it_was()
    {
        Sql(TimersDb, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('bob');");

        var error = OpenFails();

        Assert.Contains("an SQLite file of another program", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, Scalar(TimersDb, "SELECT COUNT(*) FROM contacts"));
        Assert.Equal(0L, Scalar(TimersDb, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'timers'"));
    }

    [Fact]
    public void Another_of_the_hosts_files_under_the_wrong_name_is_refused()
    {
        var audit = new SqliteAuditStore(Path.Combine(_folder.Path, "audit.db"));
        audit.Open();
        audit.Dispose();
        SqliteConnection.ClearAllPools();
        File.Copy(Path.Combine(_folder.Path, "audit.db"), TimersDb);

        var error = OpenFails();

        Assert.Contains("another of the host's files", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_from_a_newer_host_is_refused()
    {
        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
        }

        Sql(TimersDb, $"PRAGMA user_version={TimerStore.Schema.Version + 1}");

        var error = OpenFails();

        Assert.Contains("was written by a newer host", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_half_truncated_file_is_refused_in_one_line()
    {
        FillTimers(2_000);
        using (var stream = new FileStream(TimersDb, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        var error = OpenFails();

        Assert.Contains(TimersDb, error.Message, StringComparison.Ordinal);
        Assert.Contains("is damaged", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_file_with_one_overwritten_page_is_caught_by_the_check_at_start()
    {
        FillTimers(2_000);
        var pageSize = (int)Pragma(TimersDb, "page_size");
        using (var stream = new FileStream(TimersDb, FileMode.Open))
        {
            // Page 3 is a b-tree page of the timers table: its header and cells become noise.
            stream.Position = 2L * pageSize;
            var noise = new byte[pageSize];
            new Random(7).NextBytes(noise);
            stream.Write(noise);
        }

        var error = OpenFails();

        Assert.Contains("is damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains("docs/configuration.md", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_from_before_application_ids_is_adopted_with_its_timers()
    {
        // What a host before this version wrote: our table, id 0, version 0, no auto-vacuum.
        Sql(TimersDb, """
            CREATE TABLE timers (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, user TEXT NULL, channel TEXT NOT NULL,
                follow_up TEXT NULL, due_at INTEGER NOT NULL, created_at INTEGER NOT NULL, state TEXT NOT NULL, done_at INTEGER NULL);
            INSERT INTO timers (label, user, channel, due_at, created_at, state) VALUES ('tea', 'ann', 'console', 5000, 0, 'pending');
            """);

        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
            Assert.Equal("tea", Assert.Single(store.ListPending("ann", "console")).Label);
            Assert.Equal(2, store.Insert("eggs", "ann", "console", null, 6_000, 0).Id);
        }

        Assert.Equal(TimerStore.Schema.ApplicationId, Pragma(TimersDb, "application_id"));
        Assert.Equal(2, Pragma(TimersDb, "auto_vacuum"));
    }

    [Fact]
    public void A_full_file_refuses_a_new_timer_with_a_message_naming_the_file_and_the_cause()
    {
        // A real size limit: SQLite's max_page_count stands in for a small disk.
        using var store = new TimerStore(TimersDb, maxBytes: 64 * 1024);
        store.Open();
        var label = new string('x', 2_000);
        var error = Assert.Throws<SqliteException>(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                store.Insert(label, "ann", "console", null, 1_000 + i, 0);
            }
        });

        var explained = StorageErrors.Explain(store.Path, "save the timer", error);

        Assert.Equal($"Could not save the timer: the disk holding {TimersDb} is full. Free some space; what was saved before is kept.", explained.Message);
    }

    private StorageException OpenFails()
    {
        using var store = new TimerStore(TimersDb);
        return Assert.Throws<StorageException>(store.Open);
    }

    private void FillTimers(int count)
    {
        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
            store.Begin();
            for (var i = 0; i < count; i++)
            {
                store.Insert($"timer number {i} with a label long enough to fill pages", "ann", "console", null, 10_000 + i, 0);
            }

            store.Commit();
        }

        // Checkpointed into the main file, so damaging the file damages the timers.
        Sql(TimersDb, "PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
    }

    private static long Pragma(string path, string name) => Scalar(path, $"PRAGMA {name}");

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
