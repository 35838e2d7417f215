using System.Globalization;
using System.Text.RegularExpressions;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Store;

/// <summary>
/// The role store's atomic update across real <c>bin/host</c> processes on one PostgreSQL database:
/// the sample notes role, one user, three hosts adding notes at the same time.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed partial class ScaleOutStoreHostTests(PostgresCluster cluster) : IDisposable
{
    private const int PerHost = 40;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Three_hosts_updating_one_users_notes_at_once_lose_no_update()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var group = new HostGroup(_folder.Path, connectionString, 3, TimeSpan.FromSeconds(30));
        File.Copy(Repository.SampleRole("notes.cs"), Path.Combine(group.Folder, "roles", "notes.cs"));
        await group.StartAsync(Patience);

        // Each host's console user is ann: every add is a read-modify-write of the same stored list.
        await Task.WhenAll(group.Hosts.Select((host, h) => Task.Run(async () =>
        {
            for (var i = 0; i < PerHost; i++)
            {
                await host.SendAsync(string.Create(CultureInfo.InvariantCulture, $"/notes add_note h{h}-{i}"));
            }
        })));

        const int Total = PerHost * 3;
        var deadline = DateTime.UtcNow + Patience;
        while (Counts(group).Count < Total && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        // Every update saw the list as the one before it left it: the counts are 1..120, each once.
        var counts = Counts(group);
        Assert.Equal(Enumerable.Range(1, Total), counts.Order());
        Assert.All(group.Hosts, host => Assert.Contains(host.Stdout, line => NotedLine().IsMatch(line)));

        await group.Hosts[2].SendAsync("/notes list_notes");
        var listed = await group.Hosts[2].WaitForStdoutAsync(line => line.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{Total}. "), StringComparison.Ordinal), Patience);
        Assert.Matches(@"^120\. h\d-\d+$", listed);
        await group.StopAsync(Patience);
    }

    private static List<int> Counts(HostGroup group) =>
        [.. group.Hosts.SelectMany(h => h.Stdout).Select(l => NotedLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"Noted \((\d+) notes?\)\.")]
    private static partial Regex NotedLine();
}
