using System.Diagnostics;

namespace AgentPlugins.Host.Roles.Watching;

/// <summary>
/// How long to wait after a file event before reading the file, learned per path from the gaps
/// between the events of each burst. An editor that writes in one go (truncate + write, or temp file +
/// rename) produces events microseconds apart, so the wait shrinks towards <see cref="Floor"/>; one that
/// writes in steps shows its gaps, and the wait grows to twice the longest gap seen (up to the
/// configured ceiling). A burst that was cut in two (an event soon after a burst was taken as over)
/// puts the wait back to the ceiling, so a wait that was too short corrects itself at once. A path
/// seen for the first time waits the full ceiling. Thread-safe.
/// </summary>
internal sealed class AdaptiveDebounce
{
    /// <summary>The shortest wait: events of one write arrive within it.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(5);

    private readonly TimeSpan _ceiling;
    private readonly TimeSpan _floor;
    private readonly Dictionary<string, PathState> _paths = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="ceiling">The longest wait (<c>roles:debounce</c>).</param>
    public AdaptiveDebounce(TimeSpan ceiling)
    {
        _ceiling = ceiling;
        _floor = ceiling < Floor ? ceiling : Floor;
    }

    /// <summary>Notes an event on <paramref name="path"/> at <paramref name="timestamp"/> (<see cref="Stopwatch"/>); returns how long the file must now stay quiet.</summary>
    public TimeSpan Observe(string path, long timestamp)
    {
        lock (_gate)
        {
            if (!_paths.TryGetValue(path, out var state))
            {
                state = new PathState { Learned = _ceiling / 2 };
                _paths[path] = state;
            }

            if (state.LastEvent != 0)
            {
                var gap = Stopwatch.GetElapsedTime(state.LastEvent, timestamp);
                if (state.BurstStart != 0)
                {
                    state.BurstGap = Max(state.BurstGap, gap);
                }
                else if (gap < _ceiling)
                {
                    // The last burst was taken as over too soon (this event belongs to it): back to
                    // the full wait until saves show short bursts again.
                    state.Learned = _ceiling / 2;
                }
            }

            if (state.BurstStart == 0)
            {
                state.BurstStart = timestamp;
                state.BurstGap = TimeSpan.Zero;
            }

            state.LastEvent = timestamp;
            return Window(state);
        }
    }

    /// <summary>Ends <paramref name="path"/>'s burst; returns the timestamp of its first event.</summary>
    public long Settle(string path)
    {
        lock (_gate)
        {
            if (!_paths.TryGetValue(path, out var state) || state.BurstStart == 0)
            {
                return Stopwatch.GetTimestamp();
            }

            // What this burst showed counts in full; older bursts count less with every save, so one
            // slow save does not slow every later one.
            state.Learned = Max(state.BurstGap, state.Learned / 2);
            var first = state.BurstStart;
            state.BurstStart = 0;
            return first;
        }
    }

    /// <summary>The wait the next event on <paramref name="path"/> would get if it came in a new burst.</summary>
    public TimeSpan WindowFor(string path)
    {
        lock (_gate)
        {
            return _paths.TryGetValue(path, out var state) ? Window(state) : _ceiling;
        }
    }

    private TimeSpan Window(PathState state)
    {
        var wanted = Max(state.Learned, state.BurstGap) * 2;
        return wanted < _floor ? _floor : wanted > _ceiling ? _ceiling : wanted;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class PathState
    {
        public long BurstStart { get; set; }

        public long LastEvent { get; set; }

        public TimeSpan BurstGap { get; set; }

        public TimeSpan Learned { get; set; }
    }
}
