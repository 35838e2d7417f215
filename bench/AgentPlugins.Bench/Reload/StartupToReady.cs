using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Start-up to ready of the real <c>bin/host</c> with 50 roles: from process start to its "Ready"
/// line, first with an empty compile cache (every role through Roslyn), then with the cache warm.
/// </summary>
internal static class StartupToReady
{
    public static async Task<(double Cold, double Warm, int Roles)> RunAsync(int roles, int warmRuns)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        var rolesFolder = Path.Combine(folder, "roles");
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(rolesFolder);
        try
        {
            for (var i = 0; i < roles; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(rolesFolder, $"role{i:D2}.cs"), BenchRoles.Sample($"r{i}", $"role{i:D2}"));
            }

            var cold = await TimeToReadyAsync(rolesFolder, data, roles);
            var warm = new List<double>();
            for (var run = 0; run < warmRuns; run++)
            {
                warm.Add(await TimeToReadyAsync(rolesFolder, data, roles));
            }

            warm.Sort();
            return (cold, warm[warm.Count / 2], roles);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> TimeToReadyAsync(string roles, string data, int count)
    {
        var started = Stopwatch.GetTimestamp();
        await using var host = HostProcess.StartRun(roles, data);
        var ready = await host.WaitForAsync($"Ready: {count} role(s) serving", TimeSpan.FromSeconds(120));
        return Stopwatch.GetElapsedTime(started, ready).TotalMilliseconds;
    }
}
