using System.Globalization;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class ReloadUnderLoadTests
{
    private const int EventCount = 100_000;
    private const int Rewrites = 20;

    [Fact]
    public async Task Every_event_is_handled_exactly_once_by_one_generation_while_the_role_is_rewritten()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v00") });
        Assert.Equal(RoleState.Active, host.StatusOf("echo.cs")!.State);

        using var rewriting = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            // Spread the events over the rewrites: 100 bursts of 1,000, a short pause between them.
            for (var seq = 0; seq < EventCount; seq++)
            {
                var data = new Dictionary<string, string> { ["seq"] = seq.ToString(CultureInfo.InvariantCulture) };
                await host.Bus.PublishAsync(new BusEvent("PING", data), EventOrigin.Host);
                if (seq % 1000 == 999 && !rewriting.IsCancellationRequested)
                {
                    await Task.Delay(30);
                }
            }
        });

        var rewriter = Task.Run(async () =>
        {
            for (var version = 1; version <= Rewrites; version++)
            {
                host.Write("echo.cs", SampleRoles.Echo($"v{version:D2}"));
                await Task.Delay(150);
            }
        });

        await rewriter;
        await rewriting.CancelAsync();
        await publisher;
        var final = RoleFile.HashOf(SampleRoles.Echo($"v{Rewrites:D2}"));
        var status = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active && s.ContentHash == final);
        await WaitForCountAsync(host.Sink, EventCount);

        var handled = host.Sink.Texts.Select(Parse).ToList();
        Assert.Equal(EventCount, handled.Count);
        Assert.Equal(EventCount, handled.Select(h => h.Seq).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, EventCount), handled.Select(h => h.Seq).Order());

        // In publish order, the version that handled each event never goes back.
        var versions = handled.OrderBy(h => h.Seq).Select(h => h.Version).ToList();
        for (var i = 1; i < versions.Count; i++)
        {
            Assert.True(versions[i] >= versions[i - 1], $"event {i} was handled by v{versions[i]} after event {i - 1} by v{versions[i - 1]}");
        }

        Assert.True(versions.Distinct().Count() > 1, "no reload happened while the events flowed");
        Assert.True(status.Generation > 2, $"only {status.Generation} generations loaded");
        Assert.Equal($"v{Rewrites:D2}", await host.PingAsync());
    }

    private static (int Seq, int Version) Parse(string text)
    {
        var parts = text.Split(':');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1].AsSpan(1), CultureInfo.InvariantCulture));
    }

    private static async Task WaitForCountAsync(SinkChannel sink, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sink.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
