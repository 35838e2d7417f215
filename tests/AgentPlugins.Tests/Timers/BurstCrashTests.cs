using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// kill -9 of the real <c>bin/host</c> in the middle of 200 timers due at the same instant, then a
/// restart: every timer's notification is delivered at least once, and the crash repeats at most one
/// notification in all. Real clock, real process, real SQLite file.
/// </summary>
public sealed class BurstCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly TempFolder _folder = new();

    public BurstCrashTests()
    {
        TimerHostFolder.Write(_folder);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(57)]
    [InlineData(133)]
    public async Task Kill_minus_9_after_n_notifications_loses_none_and_repeats_at_most_one(int killAfter)
    {
        var outcome = await CrashRound.RunAsync(_folder.Path, killAfter, Patience);

        Assert.Empty(outcome.Lost);
        Assert.True(outcome.Repeated <= 1, $"{outcome.Repeated} notifications repeated after one crash: {string.Join(", ", outcome.RepeatedLabels)}");
        Assert.True(outcome.BeforeKill >= killAfter);
    }
}
