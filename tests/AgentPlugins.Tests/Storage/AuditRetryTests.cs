using AgentPlugins.Host.Audit;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Tests.Storage;

/// <summary>An audit batch that cannot be written is kept and written later, in order, with one log line each way.</summary>
public sealed class AuditRetryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Database => Path.Combine(_folder.Path, "audit.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task Records_that_fail_to_write_are_kept_and_written_when_the_file_is_free_again()
    {
        var logs = new LogRecorder();
        var audit = new AuditLog(new SqliteAuditStore(Database), TimeProvider.System, logs.CreateLogger<AuditLog>());
        await audit.OpenAsync();
        using (var blocker = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            // Another program holds the file's write lock: every write fails after the busy timeout.
            blocker.Open();
            using (var exclusive = blocker.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                exclusive.ExecuteNonQuery();
            }

            for (var i = 0; i < 50; i++)
            {
                audit.Append(new AuditRecord(DateTimeOffset.UtcNow, "test", "action", $"record {i}", "ann"));
            }

            await WaitUntilAsync(() => audit.Kept == 50);
            audit.Append(new AuditRecord(DateTimeOffset.UtcNow, "test", "action", "record 50", "ann"));
            await WaitUntilAsync(() => audit.Kept == 51);
        }

        await WaitUntilAsync(() => audit.Kept == 0);
        await audit.DisposeAsync();

        var records = new SqliteAuditStore(Database).ReadLatest(100);
        Assert.Equal(Enumerable.Range(0, 51).Select(i => $"record {i}"), records.Select(r => r.Details));
        var error = Assert.Single(logs.At(LogLevel.Error));
        Assert.Contains(Database, error, StringComparison.Ordinal);
        Assert.Contains("kept in memory", error, StringComparison.Ordinal);
        Assert.Single(logs.At(LogLevel.Information), l => l.Contains("written to", StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
