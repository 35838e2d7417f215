using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Bench.Http;
using AgentPlugins.Tests.Support;
using PuppeteerSharp;

namespace AgentPlugins.Bench.Dashboard;

/// <summary>
/// The dashboard as a person meets it: the real <c>bin/host run</c> (HTTP on a free loopback port, the
/// sample timer role, its folder watched) and a real headless Chromium. Measures the page's weight,
/// the time from navigation to the first roles row, and a saved role file → its row showing the new
/// generation on screen.
/// </summary>
internal sealed class DashboardBenchmark : IBenchmark
{
    private const int Loads = 7;
    private const int Saves = 20;

    public string Name => "dashboard";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        await using var host = HostUnderTest.Start(Repository.SampleRole("timer.cs"), http: true);
        var address = await host.AddressAsync(TimeSpan.FromSeconds(120));
        await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(120));

        using var http = new HttpClient { BaseAddress = address };
        var page = await http.GetByteArrayAsync(new Uri("/", UriKind.Relative), cancellationToken);
        var roles = await http.GetByteArrayAsync(new Uri("/api/roles", UriKind.Relative), cancellationToken);

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : throw new InvalidOperationException("Chromium is missing: run tests/setup/install-chromium.sh."),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });

        var firstRow = new List<double>();
        for (var i = 0; i < Loads; i++)
        {
            await using var tab = await browser.NewPageAsync();
            var started = Stopwatch.GetTimestamp();
            await tab.GoToAsync(address.ToString(), WaitUntilNavigation.DOMContentLoaded);
            await tab.WaitForFunctionAsync("() => document.querySelector('#roles table tbody tr') !== null", new WaitForFunctionOptions { PollingInterval = 2, Timeout = 30_000 });
            firstRow.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        await using var watching = await browser.NewPageAsync();
        await watching.GoToAsync(address.ToString());
        await watching.WaitForFunctionAsync("() => (document.querySelector('#live')?.innerText ?? '') === 'live'", new WaitForFunctionOptions { PollingInterval = 10, Timeout = 30_000 });
        var file = Path.Combine(host.RolesFolder, "timer.cs");
        var original = await File.ReadAllTextAsync(file, cancellationToken);
        var updated = new List<double>();
        for (var save = 1; save <= Saves; save++)
        {
            await Task.Delay(500, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            await File.WriteAllTextAsync(file, original.Replace("Listing your timers.", $"Listing your timers ({save}).", StringComparison.Ordinal), cancellationToken);
            await watching.WaitForFunctionAsync(
                "g => (document.querySelector('#roles table')?.innerText ?? '').includes('timer\\t' + g + '\\tserving')",
                new WaitForFunctionOptions { PollingInterval = 2, Timeout = 30_000 },
                save + 1);
            updated.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var report = new StringBuilder();
        report.AppendLine("# Dashboard (`make bench-dashboard`)").AppendLine();
        report.AppendLine(Machine.Describe()).AppendLine();
        report.AppendLine("The real `bin/host run` (HTTP on a free loopback port, roles/timer.cs in a watched folder) and Debian's headless Chromium driven over the DevTools protocol (PuppeteerSharp), on the same 2 cores.").AppendLine();
        report.AppendLine("| measure | result | goal |").AppendLine("|---|---:|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| page (`GET /`: HTML, CSS and script in one file) | {page.Length / 1024.0:F1} KB | < 100 KB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| its first data (`GET /api/roles`, one role) | {roles.Length / 1024.0:F1} KB | |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| navigation → first roles row on screen, median of {Loads} loads | {Median(firstRow):F0} ms (p90 {Percentile(firstRow, 0.9):F0} ms) | |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| role file saved → its row shows the new generation serving, p50 of {Saves} saves | {Median(updated):F0} ms | ≤ 300 ms |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| same, p90 / max | {Percentile(updated, 0.9):F0} ms / {updated.Max():F0} ms | |");
        report.AppendLine().AppendLine("How: each load opens a new tab and times `GoTo` (DOMContentLoaded) until the first row of the roles table exists (the page fetches `/api/roles`, then follows `/api/dashboard`). Each save rewrites the role file in place with a new reply text, 0.5 s apart, and times the write until the page (following the SSE stream, no polling of the host) shows `timer`, the new generation and `serving` in the table; the page is checked every 2 ms. A save's time includes the host's own reload (file event, debounce, compile, swap), which bench/results/reload.md breaks down.");
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min) at the start: {loadBefore}; at the end: {LoadAverage()}.");
        return report.ToString();
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
