using System.Diagnostics;
using System.Globalization;
using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// When each stage of one reload ended, as <see cref="Stopwatch"/> timestamps (the monotonic clock, so
/// a benchmark in another process can put its own save and answer times beside them). The watcher
/// fills the first marks, the lifecycle the rest; 0 means the stage did not happen.
/// </summary>
internal sealed class LoadTimings
{
    /// <summary>The first file event of the burst.</summary>
    public long Event { get; set; }

    /// <summary>The burst was over (the debounce ended).</summary>
    public long Settled { get; set; }

    /// <summary>The file was read.</summary>
    public long Read { get; set; }

    /// <summary>Parse, then rules and emit side by side (or the compile cache).</summary>
    public CompileTimings? Compile { get; set; }

    /// <summary>The loop picked the activation up.</summary>
    public long OnLoop { get; set; }

    /// <summary>The assembly was loaded and the role instantiated and registered.</summary>
    public long Loaded { get; set; }

    /// <summary>The new generation serves.</summary>
    public long Swapped { get; set; }

    /// <summary>One line: each stage's duration in milliseconds, then the raw timestamps for tools.</summary>
    public string Describe()
    {
        var c = Compile;
        var stages = new (string Name, long From, long To)[]
        {
            ("debounce", Event, Settled),
            ("read", Settled, Read),
            ("parse", c?.Started ?? 0, c?.Parsed ?? 0),
            ("rules", c?.Parsed ?? 0, c?.Checked ?? 0),
            ("emit", c?.Parsed ?? 0, c?.Emitted ?? 0),
            ("queue", c?.Ended ?? Read, OnLoop),
            ("load", OnLoop, Loaded),
            ("swap", Loaded, Swapped),
        };
        var parts = stages
            .Where(s => s.From != 0 && s.To != 0)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name}={Stopwatch.GetElapsedTime(s.From, s.To).TotalMilliseconds:F1}"));
        var marks = string.Create(CultureInfo.InvariantCulture, $"event@{Event} swapped@{Swapped}");
        return $"{string.Join(' ', parts)} ms{(c?.FromCache == true ? " (compile cache)" : string.Empty)}; {marks}";
    }
}
