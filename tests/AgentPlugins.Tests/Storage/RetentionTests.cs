using System.Diagnostics.Metrics;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Timers;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Storage;

/// <summary>Retention on real SQLite files and a fake clock: by age, by size, in batches, files that shrink.</summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(Now);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private string AuditDb => Path.Combine(_folder.Path, "audit.db");

    private string TimersDb => Path.Combine(_folder.Path, "timers.db");

    [Fact]
    public async Task Audit_records_past_their_age_are_gone_after_the_next_pass_in_batches()
    {
        using (var store = new SqliteAuditStore(AuditDb))
        {
            store.Open();
            store.Write([.. Enumerable.Range(0, 1_050).Select(i => Record(Now - TimeSpan.FromDays(100), $"old {i}"))]);
            store.Write([Record(Now - TimeSpan.FromDays(89), "recent")]);
        }

        await using var retention = Service(new RetentionOptions { BatchSize = 100 }, SqliteAuditStore.Retention(AuditDb));
        var pass = Assert.Single(await retention.RunPassAsync());

        Assert.Equal(new RetentionPass("audit", 1_050, 0, pass.DataBytes, null), pass);
        Assert.Equal(["recent"], new SqliteAuditStore(AuditDb).ReadLatest(10).Select(r => r.Details));

        // A day later, on the fake clock, "recent" is 90 days and one day old: gone too.
        _clock.Advance(TimeSpan.FromDays(2));
        await retention.RunPassAsync();
        Assert.Empty(new SqliteAuditStore(AuditDb).ReadLatest(10));

        // The host stops it, then the service container disposes it again: the second call does nothing.
        await retention.DisposeAsync();
    }

    [Fact]
    public async Task Finished_timers_past_their_age_are_pruned_and_pending_ones_never_are()
    {
        var nowMs = Now.ToUnixTimeMilliseconds();
        var day = (long)TimeSpan.FromDays(1).TotalMilliseconds;
        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
            var old = store.Insert("old fired", "ann", "console", null, nowMs - (10 * day), nowMs - (11 * day));
            store.ClaimDue(nowMs - (10 * day), 10);
            store.MarkFired(old.Id, nowMs - (10 * day));
            store.Insert("cancelled long ago", "ann", "console", null, nowMs + day, nowMs - (20 * day));
            store.Cancel("cancelled long ago", "ann", nowMs - (8 * day));
            store.Insert("ancient but pending", "bob", "console", null, nowMs + day, nowMs - (400 * day));
            var fresh = store.Insert("fired yesterday", "ann", "console", null, nowMs - day, nowMs - (2 * day));
            store.ClaimDue(nowMs - day, 10);
            store.MarkFired(fresh.Id, nowMs - day);
        }

        await using var retention = Service(new RetentionOptions(), TimerStore.Retention(TimersDb));
        var pass = Assert.Single(await retention.RunPassAsync());

        Assert.Equal(2, pass.ByAge);
        Assert.Equal(["ancient but pending", "fired yesterday"], Labels(TimersDb));
    }

    [Fact]
    public async Task A_size_bound_holds_after_a_write_burst_the_newest_records_stay_and_the_file_shrinks()
    {
        using (var store = new SqliteAuditStore(AuditDb))
        {
            store.Open();
            var details = new string('d', 400);
            for (var batch = 0; batch < 20; batch++)
            {
                store.Write([.. Enumerable.Range(0, 1_000).Select(i => Record(Now, $"{batch * 1_000 + i:D6} {details}"))]);
            }
        }

        var before = FileBytes(AuditDb);
        Assert.True(before > 8 * 1024 * 1024, $"the burst wrote {before} bytes");

        var options = new RetentionOptions { Stores = new(StringComparer.OrdinalIgnoreCase) { ["audit"] = new RetentionPolicy { MaxMegabytes = 1 } } };
        await using var retention = Service(options, SqliteAuditStore.Retention(AuditDb));
        var pass = Assert.Single(await retention.RunPassAsync());

        Assert.True(pass.DataBytes <= 1024 * 1024, $"{pass.DataBytes} bytes of data left");
        Assert.True(pass.BySize > 15_000, $"{pass.BySize} deleted");
        var after = FileBytes(AuditDb);
        Assert.True(after <= (1024 * 1024) + (64 * 1024), $"file and WAL still {after} bytes after the pass");
        var newest = new SqliteAuditStore(AuditDb).ReadLatest(1);
        Assert.StartsWith("019999 ", Assert.Single(newest).Details, StringComparison.Ordinal);
    }

    [Fact]
    public void Under_steady_writes_the_WAL_stays_near_its_limit_instead_of_growing()
    {
        using var store = new TimerStore(TimersDb);
        store.Open();
        var largest = 0L;
        for (var i = 0; i < 20_000; i++)
        {
            // One commit per timer, as the service commits a small batch at a time under steady load.
            store.Begin();
            store.Insert($"steady {i} with a label of some length to fill pages quickly", "ann", "console", null, 10_000 + i, 0);
            store.Commit();
            if (i % 100 == 0)
            {
                largest = Math.Max(largest, new FileInfo(TimersDb + "-wal").Length);
            }
        }

        // 256 pages of 4 KB before each checkpoint, cut back to 1 MB after: never SQLite's default 4 MB and more.
        Assert.True(largest <= 1_200_000, $"the WAL reached {largest} bytes");
        Assert.True(new FileInfo(TimersDb).Length > 1_000_000, "the timers reached the main file");
    }

    [Fact]
    public async Task Conversation_turns_past_their_age_are_pruned()
    {
        var path = Path.Combine(_folder.Path, "conversations.db");
        await using (var conversations = new ConversationStore(path, 10, NullLogger<ConversationStore>.Instance))
        {
            await conversations.OpenAsync();
            await conversations.AppendAsync("ann", "console", new ConversationTurn(Now - TimeSpan.FromDays(40), "timer", "set 5m", "ok"));
            await conversations.AppendAsync("ann", "console", new ConversationTurn(Now - TimeSpan.FromDays(1), "timer", "list", "none"));
        }

        await using var retention = Service(new RetentionOptions(), ConversationStore.Retention(path));
        Assert.Equal(1, Assert.Single(await retention.RunPassAsync()).ByAge);
    }

    [Fact]
    public async Task A_store_with_a_damaged_file_does_not_stop_the_others_from_being_pruned()
    {
        using (var store = new SqliteAuditStore(AuditDb))
        {
            store.Open();
            store.Write([Record(Now - TimeSpan.FromDays(100), "old")]);
        }

        var broken = Path.Combine(_folder.Path, "broken.db");
        File.WriteAllText(broken, "not a database at all, but long enough to have a header of sorts........");
        await using var retention = Service(new RetentionOptions(), SqliteAuditStore.Retention(broken), SqliteAuditStore.Retention(AuditDb));

        var passes = await retention.RunPassAsync();

        Assert.NotNull(passes[0].Error);
        Assert.Equal(new RetentionPass("audit", 1, 0, passes[1].DataBytes, null), passes[1]);
    }

    [Fact]
    public void Data_file_sizes_are_measured_per_file_and_published_on_the_AgentPlugins_meter()
    {
        using (var store = new TimerStore(TimersDb))
        {
            store.Open();
        }

        var usage = new DataFolderUsage(_folder.Path);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name == "agentplugins.storage.file.size")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var tagList = tags.ToArray();
            if (tagList.Any(t => t.Key == "folder" && Equals(t.Value, usage.Folder)))
            {
                sizes[(string)tagList.Single(t => t.Key == "file").Value!] = value;
            }
        });
        listener.Start();
        StorageMetrics.Track(usage);
        try
        {
            listener.RecordObservableInstruments();
        }
        finally
        {
            StorageMetrics.Untrack(usage);
        }

        Assert.Equal(new FileInfo(TimersDb).Length, usage.Files.Single(f => f.File == "timers.db").Bytes);
        Assert.Equal(new FileInfo(TimersDb).Length, sizes["timers.db"]);
        Assert.Contains(DataFileManifest.FileName, sizes.Keys);
    }

    private static AuditRecord Record(DateTimeOffset at, string details) => new(at, "test", "did", details, "ann");

    private static long FileBytes(string path) =>
        new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);

    private static List<string> Labels(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT label FROM timers ORDER BY label";
        using var reader = command.ExecuteReader();
        var labels = new List<string>();
        while (reader.Read())
        {
            labels.Add(reader.GetString(0));
        }

        return labels;
    }

    private RetentionService Service(RetentionOptions options, params IRetentionTarget[] targets)
    {
        var service = new RetentionService(options, _clock, NullLogger<RetentionService>.Instance);
        foreach (var target in targets)
        {
            service.Add(target);
        }

        return service;
    }
}
