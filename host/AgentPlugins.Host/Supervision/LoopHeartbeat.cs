using System.Globalization;
using AgentPlugins.Host.Loop;
using Microsoft.Extensions.Hosting.Systemd;

namespace AgentPlugins.Host.Supervision;

/// <summary>
/// Proof that the loop still turns, given from work that runs on the loop, so a loop that is stuck or
/// starved stops giving it. Each beat touches <c>loop-heartbeat</c> in the data folder (what
/// <c>host roles --health</c> and a container HEALTHCHECK read) and, under systemd with
/// <c>WatchdogSec=</c>, sends <c>WATCHDOG=1</c>. A timer asks the loop for a beat every
/// <see cref="Period"/> (half systemd's interval, at most 5 s) and never queues a second request while
/// one waits. READY and STOPPING come from Microsoft.Extensions.Hosting.Systemd's lifetime; this adds
/// the watchdog and STATUS lines.
/// </summary>
internal sealed class LoopHeartbeat : IAsyncDisposable
{
    public const string FileName = "loop-heartbeat";

    /// <summary>The longest pause between beats without systemd.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromSeconds(5);

    private readonly ISystemdNotifier? _notifier;
    private readonly EventLoop _loop;
    private readonly TimeProvider _clock;
    private readonly string _file;
    private readonly bool _watchdog;
    private readonly Beat _beat;
    private ITimer? _timer;
    private int _waiting;

    public LoopHeartbeat(string dataFolder, ISystemdNotifier? notifier, EventLoop loop, TimeProvider clock, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _notifier = notifier is { IsEnabled: true } ? notifier : null;
        _loop = loop;
        _clock = clock;
        _file = PathIn(dataFolder);
        var interval = _notifier is null ? null : WatchdogInterval(environment);
        _watchdog = interval is not null;
        Period = interval is { } given && given / 2 < MaxPeriod ? given / 2 : MaxPeriod;
        _beat = new Beat(this);
    }

    /// <summary>How often the loop is asked for a beat.</summary>
    public TimeSpan Period { get; }

    /// <summary>Watchdog pings sent to systemd so far.</summary>
    public long Pings { get; private set; }

    public static string PathIn(string dataFolder) => Path.Combine(dataFolder, FileName);

    /// <summary>The watchdog interval systemd gave this process (<c>WATCHDOG_USEC</c>, for <c>WATCHDOG_PID</c> if set), or null.</summary>
    public static TimeSpan? WatchdogInterval(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        // WATCHDOG_PID, when set, names the process meant; a child started with our environment is not it.
        var pid = environment("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds);
    }

    public void Start()
    {
        if (_timer is null)
        {
            _timer = _clock.CreateTimer(_ => Request(), null, TimeSpan.Zero, Period);
        }
    }

    /// <summary>Sends a STATUS line (shown by <c>systemctl status</c>); nothing without systemd.</summary>
    public void Status(string text) => _notifier?.Notify(new ServiceState("STATUS=" + text.ReplaceLineEndings(" ")));

    public ValueTask DisposeAsync() => _timer?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void Request()
    {
        // One request at a time: a stuck loop must not pile them up.
        if (Interlocked.Exchange(ref _waiting, 1) == 0 && !_loop.TryPost(_beat))
        {
            Volatile.Write(ref _waiting, 0);
        }
    }

    /// <summary>Runs on the loop: a few microseconds every few seconds.</summary>
    private sealed class Beat(LoopHeartbeat owner) : LoopWork
    {
        private static readonly ServiceState Watchdog = new("WATCHDOG=1");

        public override void Run()
        {
            Volatile.Write(ref owner._waiting, 0);
            if (owner._watchdog)
            {
                owner._notifier!.Notify(Watchdog);
                owner.Pings++;
            }

            try
            {
                File.WriteAllBytes(owner._file, []);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A data folder that cannot be written is reported where it is opened; the beat goes on.
            }
        }
    }
}
