using System.Globalization;

namespace AgentPlugins.Bench.ScaleOut;

/// <summary>
/// Holds processes to a fixed CPU budget each, through a CPU cgroup per process (cgroup v1's
/// <c>cpu.cfs_quota_us</c>/<c>cpu.cfs_period_us</c>, or cgroup v2's <c>cpu.max</c>), standing in for
/// hosts on machines of their own. The groups are made under one parent named for this run and
/// removed at <see cref="Dispose"/> (once the processes in them have ended). The period is short
/// (<see cref="PeriodUs"/>): with the default 100 ms a process at a quarter core runs 25 ms and then
/// stalls 75 ms, which would measure the throttling rather than the host.
/// </summary>
internal sealed class CpuBudget : IDisposable
{
    /// <summary>The scheduler period each budget is enforced over, in µs.</summary>
    public const int PeriodUs = 10_000;

    private readonly string _parent;
    private readonly bool _v2;
    private readonly List<string> _groups = [];

    private CpuBudget(string parent, bool v2)
    {
        _parent = parent;
        _v2 = v2;
    }

    /// <summary>Which cgroup version the budgets use: <c>v1</c> or <c>v2</c>.</summary>
    public string Version => _v2 ? "v2" : "v1";

    /// <summary>
    /// Makes the parent group, or says why budgets cannot be set here (<paramref name="whyNot"/>):
    /// no CPU controller mounted, or no permission to make groups.
    /// </summary>
    public static CpuBudget? TryCreate(out string whyNot)
    {
        var name = "agentplugins-bench-" + Guid.NewGuid().ToString("N")[..8];
        string root;
        bool v2;
        if (File.Exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
        {
            (root, v2) = ("/sys/fs/cgroup/cpu", false);
        }
        else if (File.Exists("/sys/fs/cgroup/cgroup.controllers") && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Split(' ', StringSplitOptions.TrimEntries).Contains("cpu"))
        {
            (root, v2) = ("/sys/fs/cgroup", true);
        }
        else
        {
            whyNot = "no CPU cgroup controller is mounted (neither cgroup v1's /sys/fs/cgroup/cpu nor cpu in cgroup v2's /sys/fs/cgroup/cgroup.controllers)";
            return null;
        }

        var parent = Path.Combine(root, name);
        try
        {
            Directory.CreateDirectory(parent);
            if (v2)
            {
                // Children of the new group get the cpu controller only if the group hands it down.
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+cpu");
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            TryRemove(parent);
            whyNot = $"cannot make a CPU cgroup under {root} ({ex.Message}); the bench needs root, or a delegated cgroup, for it";
            return null;
        }

        whyNot = string.Empty;
        return new CpuBudget(parent, v2);
    }

    /// <summary>Holds process <paramref name="pid"/> and <paramref name="children"/> (all their threads) to <paramref name="cores"/> of a core, in a group of their own.</summary>
    public void Hold(string name, double cores, int pid, IEnumerable<int> children)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cores);
        var group = Path.Combine(_parent, name);
        Directory.CreateDirectory(group);
        _groups.Add(group);
        var quotaUs = ((long)Math.Round(cores * PeriodUs)).ToString(CultureInfo.InvariantCulture);
        var periodUs = PeriodUs.ToString(CultureInfo.InvariantCulture);
        if (_v2)
        {
            File.WriteAllText(Path.Combine(group, "cpu.max"), $"{quotaUs} {periodUs}");
        }
        else
        {
            // The period first: a quota longer than the current period would be refused otherwise.
            File.WriteAllText(Path.Combine(group, "cpu.cfs_period_us"), periodUs);
            File.WriteAllText(Path.Combine(group, "cpu.cfs_quota_us"), quotaUs);
        }

        foreach (var process in children.Prepend(pid))
        {
            // One write moves every thread of the process; children it forks later start in the group too.
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), process.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>How long the processes in group <paramref name="name"/> were held back by the budget so far, in seconds (<c>cpu.stat</c>).</summary>
    public double ThrottledSeconds(string name)
    {
        var stat = Path.Combine(_parent, name, "cpu.stat");
        if (!File.Exists(stat))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(stat))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0] is "throttled_time" or "throttled_usec")
            {
                var value = double.Parse(parts[1], CultureInfo.InvariantCulture);
                return parts[0] == "throttled_time" ? value / 1e9 : value / 1e6;
            }
        }

        return 0;
    }

    /// <summary>Removes the groups (a group still holding a live process cannot be removed: the processes are stopped first).</summary>
    public void Dispose()
    {
        foreach (var group in _groups)
        {
            Empty(group);
            TryRemove(group);
        }

        TryRemove(_parent);
    }

    // A process still in the group (a compiler process ending a moment after its host) goes back to the root group, or the group could not be removed.
    private void Empty(string group)
    {
        var root = Path.GetDirectoryName(_parent)!;
        try
        {
            foreach (var pid in File.ReadAllLines(Path.Combine(group, "cgroup.procs")).Where(line => line.Length > 0))
            {
                File.WriteAllText(Path.Combine(root, "cgroup.procs"), pid);
            }
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not empty cgroup {group}: {ex.Message}");
        }
    }

    private static void TryRemove(string group)
    {
        try
        {
            if (Directory.Exists(group))
            {
                // A cgroup's files are not removable; rmdir of the directory itself removes the group.
                Directory.Delete(group, recursive: false);
            }
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not remove cgroup {group}: {ex.Message}");
        }
    }
}
