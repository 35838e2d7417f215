using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Supervision;

/// <summary>
/// The systemd notify protocol of the real bin/host, against a NOTIFY_SOCKET the test owns (a unix
/// datagram socket, as systemd gives): STATUS while loading, READY once the roles are in, WATCHDOG=1
/// from the loop while it turns, and no more pings once a role call holds it.
/// </summary>
public sealed class SystemdNotifyTests : IAsyncDisposable
{
    private readonly HostFolder _folder = new("""{ "slowCallThreshold": "00:00:00.500", "hardLimit": "00:01:00" }""", ("spin.cs", AttackRoles.SpinningTool));
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<(TimeSpan At, string Message)> _received = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private Task? _listening;

    [Fact]
    public async Task Ready_comes_after_the_roles_load_and_watchdog_pings_stop_when_the_loop_is_stuck()
    {
        var path = Path.Combine(_folder.Root, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _listening = ListenAsync();
        await using var host = _folder.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "400000" });

        await WaitForAsync(m => m == "READY=1");
        var messages = _received.Select(r => r.Message).ToList();
        var ready = messages.IndexOf("READY=1");
        var serving = messages.IndexOf("STATUS=Serving 2 role(s).");
        Assert.True(serving >= 0 && serving < ready, string.Join(" | ", messages));
        Assert.True(messages.IndexOf("STATUS=Loading roles.") < serving);

        // The loop turns: pings every 200 ms.
        var pingsBefore = await WaitForAsync(m => m == "WATCHDOG=1", count: 4);

        await host.SendAsync("/spin spin");
        var quarantined = await WaitForAsync(m => m.StartsWith("STATUS=Role spin quarantined", StringComparison.Ordinal));

        // At most a ping already on its way; then none while spin holds the loop.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var late = _received.Where(r => r.Message == "WATCHDOG=1" && r.At > quarantined + TimeSpan.FromMilliseconds(300)).ToList();
        Assert.Empty(late);
        Assert.True(pingsBefore > TimeSpan.Zero);

        Assert.Equal(ExitCodes.StopTimedOut, await host.TerminateAsync(HostFolder.Patience));
        Assert.Contains(_received, r => r.Message == "STOPPING=1");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        if (_listening is not null)
        {
            await _listening.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
        _folder.Dispose();
    }

    private async Task ListenAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            foreach (var line in Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                _received.Enqueue((_clock.Elapsed, line));
            }
        }
    }

    // Returns when the count-th matching message arrived.
    private async Task<TimeSpan> WaitForAsync(Func<string, bool> match, int count = 1)
    {
        var deadline = _clock.Elapsed + HostFolder.Patience;
        while (_clock.Elapsed < deadline)
        {
            var found = _received.Where(r => match(r.Message)).ToList();
            if (found.Count >= count)
            {
                return found[count - 1].At;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No such notification; received: {string.Join(" | ", _received.Select(r => r.Message))}");
    }
}
