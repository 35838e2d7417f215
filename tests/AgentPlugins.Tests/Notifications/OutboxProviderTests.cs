using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Notifications;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Notifications;

/// <summary>The notification outbox on a real SQLite file and a real PostgreSQL database shared by several outboxes (hosts).</summary>
[Collection(PostgresTests.Name)]
public sealed class OutboxProviderTests(PostgresCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Providers => [.. StorageRig.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Messages_are_read_back_per_user_in_order_and_live_readers_get_new_ones(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var outbox = await OpenAsync(rig);
        var first = await outbox.AppendAsync("http", "ann", "reply", "one", "medium", "r1");
        await outbox.AppendAsync("http", "bob", "notification", "bob's", "high");
        await outbox.AppendAsync("slack", "ann", "notification", "on slack", "low");

        using var live = outbox.Subscribe("http", "ann");
        var second = await outbox.AppendAsync("http", "ann", "notification", "twö", "high");

        var read = await outbox.ReadAsync("http", "ann", 0, 10);
        Assert.Equal(["one", "twö"], read.Select(m => m.Text));
        Assert.Equal(("reply", "medium", "r1"), (read[0].Kind, read[0].Priority, read[0].RequestId));
        Assert.Equal(second.Id, read[1].Id);
        Assert.True(second.Id > first.Id);
        Assert.Equal(4, (await outbox.ReadAsync(null, null, 0, 10)).Count);
        Assert.Equal(["twö"], (await outbox.ReadAsync("http", "ann", first.Id, 10)).Select(m => m.Text));

        // On a shared database a message committed just before subscribing may come live too (readers skip ids they have).
        StoredNotification delivered;
        do
        {
            delivered = await live.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal(("http", "ann"), (delivered.Channel, delivered.User));
        }
        while (delivered.Id < second.Id);

        Assert.Equal(second.Id, delivered.Id);

        Assert.Equal(0, await outbox.ReadCursorAsync("webhook:w"));
        await outbox.SaveCursorAsync("webhook:w", second.Id);
        await outbox.SaveCursorAsync("webhook:w", first.Id);
        Assert.Equal(second.Id, await outbox.ReadCursorAsync("webhook:w"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Messages_queued_without_waiting_keep_their_place_among_awaited_ones_and_a_closed_outbox_refuses_them(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var outbox = await OpenAsync(rig);
        using var live = outbox.Subscribe("http", "ann");

        Assert.True(outbox.TryAppend("http", "ann", "reply", "answer 1", "medium", "r1"));
        var notification = outbox.AppendAsync("http", "ann", "notification", "caused by r1", "high");
        Assert.True(outbox.TryAppend("http", "ann", "reply", "answer 2", "medium", "r2"));
        var last = await outbox.AppendAsync("http", "ann", "notification", "caused by r2", "high");
        await notification;

        var read = await outbox.ReadAsync("http", "ann", 0, 10);
        Assert.Equal(["answer 1", "caused by r1", "answer 2", "caused by r2"], read.Select(m => m.Text));
        Assert.Equal(["r1", null, "r2", null], read.Select(m => m.RequestId));
        var delivered = new List<string>();
        while (delivered.Count < 4)
        {
            delivered.Add((await live.Reader.ReadAsync().AsTask().WaitAsync(Patience)).Text);
        }

        Assert.Equal(read.Select(m => m.Text), delivered);
        Assert.Equal(last.Id, read[^1].Id);

        await outbox.DisposeAsync();
        Assert.False(outbox.TryAppend("http", "ann", "reply", "too late", "medium", "r3"));
    }

    [Fact]
    public async Task Messages_written_on_three_hosts_reach_a_reader_on_another_once_and_in_order()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var hosts = new[] { await OpenAsync(rig), await OpenAsync(rig), await OpenAsync(rig) };
        var reader = await OpenAsync(rig);
        using var live = reader.Subscribe("http", "ann");

        // Three hosts write for the same user at once, each in its own order.
        await Task.WhenAll(hosts.Select((host, h) => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await host.AppendAsync("http", "ann", "notification", $"{h}:{i}", "medium");
            }
        })));

        var received = new List<StoredNotification>();
        while (received.Count < 600)
        {
            received.Add(await live.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        }

        Assert.Equal(received.Select(m => m.Id).Order(), received.Select(m => m.Id));
        Assert.Equal(600, received.Select(m => m.Id).Distinct().Count());
        for (var h = 0; h < 3; h++)
        {
            Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{h}:{i}"), received.Select(m => m.Text).Where(t => t.StartsWith($"{h}:", StringComparison.Ordinal)));
        }

        Assert.Equal(received.Select(m => m.Id), (await hosts[1].ReadAsync("http", "ann", 0, 1000)).Select(m => m.Id));
        Assert.False(live.Reader.TryRead(out _));
    }

    [Fact]
    public async Task One_host_at_a_time_leads_a_follower_and_another_takes_over_when_it_stops()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var hostA = await OpenAsync(rig);
        var hostB = await OpenAsync(rig);

        var leadA = await hostA.LeadAsync("webhook:w", CancellationToken.None);
        var waitingB = hostB.LeadAsync("webhook:w", CancellationToken.None);
        await Task.Delay(300);
        Assert.False(waitingB.IsCompleted);

        await leadA.DisposeAsync();
        await using var leadB = await waitingB.WaitAsync(Patience);

        // A host that waits can stop waiting.
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<Exception>(() => hostA.LeadAsync("webhook:w", stop.Token));
        await using var other = await hostA.LeadAsync("webhook:other", CancellationToken.None).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_reader_that_reconnects_to_another_host_gets_what_it_missed_by_id()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var hostA = await OpenAsync(rig);
        var seen = await hostA.AppendAsync("http", "ann", "reply", "seen", "medium");
        await hostA.AppendAsync("http", "ann", "notification", "missed 1", "medium");
        await hostA.AppendAsync("http", "bob", "notification", "not ann's", "medium");
        await hostA.AppendAsync("http", "ann", "notification", "missed 2", "medium");

        var hostC = await OpenAsync(rig);
        Assert.Equal(["missed 1", "missed 2"], (await hostC.ReadAsync("http", "ann", seen.Id, 100)).Select(m => m.Text));
    }

    [Fact]
    public async Task A_message_SQLite_refuses_fails_naming_the_file_and_the_next_one_is_stored()
    {
        await using var rig = new StorageRig("sqlite", cluster);
        var outbox = await OpenAsync(rig);
        await outbox.AppendAsync("http", "ann", "reply", "before", "medium");

        // SQLite itself refuses the row, as it does on a full disk or a damaged file.
        using (var other = new SqliteConnection($"Data Source={outbox.Path}"))
        {
            other.Open();
            using var refuse = other.CreateCommand();
            refuse.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON notifications WHEN NEW.text = 'refused' BEGIN SELECT RAISE(ABORT, 'no room'); END";
            refuse.ExecuteNonQuery();
        }

        var failure = await Assert.ThrowsAsync<IOException>(() => outbox.AppendAsync("http", "ann", "reply", "refused", "medium"));
        Assert.Contains(outbox.Path, failure.Message, StringComparison.Ordinal);
        Assert.Contains("no room", failure.Message, StringComparison.Ordinal);

        var after = await outbox.AppendAsync("http", "ann", "reply", "after", "medium");
        Assert.Equal(["before", "after"], (await outbox.ReadAsync("http", "ann", 0, 10)).Select(m => m.Text));
        Assert.Equal(after.Id, (await outbox.ReadAsync("http", "ann", 0, 10))[^1].Id);
    }

    private static async Task<NotificationOutbox> OpenAsync(StorageRig rig)
    {
        NotificationOutbox outbox = rig.IsPostgres
            ? await PostgresNotificationOutbox.OpenAsync(await rig.OpenDatabaseAsync(), HostIdentity.Create(null), new OutboxOptions(), TimeProvider.System, NullLogger<NotificationOutbox>.Instance)
            : NotificationOutbox.Open(Path.Combine(rig.Folder.Path, "outbox.db"), new OutboxOptions(), TimeProvider.System, NullLogger<NotificationOutbox>.Instance);
        return rig.Closes(outbox);
    }
}
