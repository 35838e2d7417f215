using System.Globalization;
using System.Text;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Soak;

/// <summary>
/// <c>make soak</c>: SOAK_MINUTES (default 5) of steady requests on standard input — about 100 a
/// second, one in ten a 1-second timer, the rest listings — against two real <c>bin/host</c>
/// processes side by side: one with small retention bounds (what the soak checks), one with retention
/// off (the baseline, same run). Each minute: each host's RSS and data folder size.
/// </summary>
internal sealed class SoakBenchmark : IBenchmark
{
    private const int RequestsPerSecond = 100;

    public string Name => "soak";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var minutes = int.TryParse(Environment.GetEnvironmentVariable("SOAK_MINUTES"), CultureInfo.InvariantCulture, out var m) ? m : 5;
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var root = Path.Combine(Path.GetTempPath(), "agentplugins-soak", Guid.NewGuid().ToString("N")[..8]);
        var bounded = Prepare(Path.Combine(root, "bounded"), """
            "retention": { "interval": "00:00:10", "stores": {
              "timers": { "maxAge": "00:00:30", "maxMegabytes": 1 },
              "audit": { "maxAge": "00:00:30", "maxMegabytes": 1 } } },
            """);
        var unbounded = Prepare(Path.Combine(root, "unbounded"), """
            "retention": { "interval": "1.00:00:00", "stores": {
              "timers": { "maxAge": "00:00:00", "maxMegabytes": 0 },
              "audit": { "maxAge": "00:00:00", "maxMegabytes": 0 } } },
            """);

        var rows = new List<string>();
        await using (var a = HostProcess.Start(bounded, "run", "--config", Path.Combine(bounded, "plugins.json")))
        await using (var b = HostProcess.Start(unbounded, "run", "--config", Path.Combine(unbounded, "plugins.json")))
        {
            await a.SendAsync("/timer list_timers");
            await b.SendAsync("/timer list_timers");
            await a.WaitForStdoutAsync(l => l.Contains("No timers running.", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            await b.WaitForStdoutAsync(l => l.Contains("No timers running.", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            rows.Add(Sample(0, a, bounded, b, unbounded));

            var start = DateTime.UtcNow;
            var sent = 0L;
            for (var minute = 1; minute <= minutes; minute++)
            {
                var end = start + TimeSpan.FromMinutes(minute);
                while (DateTime.UtcNow < end)
                {
                    // Paced to the wall clock: behind schedule, it catches up; ahead, it waits.
                    var due = (long)((DateTime.UtcNow - start).TotalSeconds * RequestsPerSecond);
                    while (sent < due)
                    {
                        var request = sent % 10 == 0 ? $"/timer set_timer 1s s{sent}" : "/timer list_timers";
                        await a.SendAsync(request);
                        await b.SendAsync(request);
                        sent++;
                    }

                    await Task.Delay(10, cancellationToken);
                }

                rows.Add(Sample(minute, a, bounded, b, unbounded));
                Console.Error.WriteLine(rows[^1]);
            }

            await a.TerminateAsync(TimeSpan.FromMinutes(1));
            await b.TerminateAsync(TimeSpan.FromMinutes(1));
        }

        var text = new StringBuilder();
        text.AppendLine("# Soak: memory and data folder under steady load");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}; load average at start {load} (2 cores shared with other sessions).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`make soak` (SOAK_MINUTES={minutes}): two `bin/host` processes side by side get the same console requests, about {RequestsPerSecond} a second, one in ten `/timer set_timer 1s …`, the rest `/timer list_timers`. **bounded** runs retention every 10 s with timers and audit kept 30 s and at most 1 MB; **baseline** has retention off (`maxAge` 0, `maxMegabytes` 0). Sizes are the data folder's files (databases, WAL, compile cache, status file).");
        text.AppendLine();
        text.AppendLine("| minute | bounded RSS | bounded data folder | bounded timers.db + WAL | baseline RSS | baseline data folder | baseline timers.db + WAL |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleaning.
        }

        return text.ToString();
    }

    private static string Prepare(string folder, string retention)
    {
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        File.Copy(Repository.SampleRole("timer.cs"), Path.Combine(folder, "roles", "timer.cs"));
        File.WriteAllText(Path.Combine(folder, "plugins.json"), $$"""
            {
              "roles": { "folder": "roles" },
              "storage": { "dataFolder": "data" },
              "scheduler": { "fastHeartbeat": "00:00:00.200" },
              {{retention}}
              "timers": { "timeZone": "UTC", "maxPerUser": 100000 },
              "channels": { "console": { "enabled": true, "user": "ann" } }
            }
            """);
        return folder;
    }

    private static string Sample(int minute, HostProcess a, string aFolder, HostProcess b, string bFolder) =>
        string.Create(CultureInfo.InvariantCulture, $"| {minute} | {Rss(a)} | {Size(aFolder, null)} | {Size(aFolder, "timers.db")} | {Rss(b)} | {Size(bFolder, null)} | {Size(bFolder, "timers.db")} |");

    private static string Rss(HostProcess host)
    {
        var line = File.ReadLines($"/proc/{host.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? "?" : $"{long.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0:F0} MB";
    }

    private static string Size(string folder, string? database)
    {
        var data = new DirectoryInfo(Path.Combine(folder, "data"));
        var files = data.EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => database is null || f.Name == database || f.Name == database + "-wal");
        return string.Create(CultureInfo.InvariantCulture, $"{files.Sum(f => f.Length) / (1024.0 * 1024.0):F2} MB");
    }
}
