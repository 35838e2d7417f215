using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Agents;

/// <summary>Conversations on a real SQLite file and a real PostgreSQL database: the same calls, the same answers.</summary>
[Collection(PostgresTests.Name)]
public sealed class ConversationStoreTests(PostgresCluster cluster)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => [.. StorageRig.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Turns_are_kept_per_user_and_channel_bounded_and_survive_a_restart(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        await using (var first = await OpenAsync(rig, maxTurns: 2))
        {
            foreach (var text in new[] { "one", "two", "three" })
            {
                await first.AppendAsync("ann", "http", new ConversationTurn(Now, "timer", text, $"answer to {text}"));
            }

            await first.AppendAsync("bob", "http", new ConversationTurn(Now, "notes", "bob's", "ok"));
            await first.AppendAsync("ann", "slack", new ConversationTurn(Now, "notes", "ann on slack", "ok"));
        }

        await using var second = await OpenAsync(rig, maxTurns: 2);
        var ann = await second.RecentAsync("ann", "http", CancellationToken.None);
        Assert.Equal(["two", "three"], ann.Select(t => t.Request));
        Assert.Equal(("timer", "answer to three", Now), (ann[1].Role, ann[1].Answer, ann[1].At));
        Assert.Equal(["bob's"], (await second.RecentAsync("bob", "http", CancellationToken.None)).Select(t => t.Request));
        Assert.Equal(["ann on slack"], (await second.RecentAsync("ann", "slack", CancellationToken.None)).Select(t => t.Request));
        Assert.Empty(await second.RecentAsync("carl", "http", CancellationToken.None));
    }

    [Fact]
    public async Task A_follow_up_answered_by_another_host_sees_what_was_said_on_the_first()
    {
        await using var rig = new StorageRig("postgres", cluster);
        await using var hostA = await OpenAsync(rig, maxTurns: 10);
        await using var hostB = await OpenAsync(rig, maxTurns: 10);

        Assert.Empty(await hostA.RecentAsync("ann", "http", CancellationToken.None));
        await hostA.AppendAsync("ann", "http", new ConversationTurn(Now, "timer", "set 10m for the bread", "set"));
        Assert.Equal(["set 10m for the bread"], (await hostB.RecentAsync("ann", "http", CancellationToken.None)).Select(t => t.Request));

        await hostB.AppendAsync("ann", "http", new ConversationTurn(Now, "timer", "make it 15", "done"));

        // Host A read the conversation before; it must not answer from that old copy.
        Assert.Equal(["set 10m for the bread", "make it 15"], (await hostA.RecentAsync("ann", "http", CancellationToken.None)).Select(t => t.Request));
    }

    private static async Task<ConversationStore> OpenAsync(StorageRig rig, int maxTurns)
    {
        IConversationTurns turns = rig.IsPostgres
            ? new PostgresConversationTurns(await rig.OpenDatabaseAsync(), HostIdentity.Create(null))
            : new SqliteConversationTurns(Path.Combine(rig.Folder.Path, "conversations.db"));
        var store = new ConversationStore(turns, maxTurns, NullLogger<ConversationStore>.Instance);
        await store.OpenAsync();
        return store;
    }
}
