using System.Globalization;
using System.Text;
using AgentPlugins.Bench.Timers;
using AgentPlugins.Host.Timers;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.ScaleOut;

/// <summary>
/// <c>make bench-scale-out</c>: real <c>bin/host</c> processes firing timers on one PostgreSQL database
/// (1 and 3 hosts) against one host on its SQLite data folder, same run: firing lateness at 1,000 due/s
/// and how many timers per second a burst is fired at. PostgreSQL is a throwaway cluster the bench
/// starts (<see cref="PostgresCluster"/>, fsync off). A second burst table holds each host to a fixed
/// CPU budget (<see cref="CpuBudget"/>, a cgroup per host), standing in for hosts on machines of their
/// own: whether adding hosts adds capacity, which the shared 2-core figure cannot show. The store
/// section (issue 17 part B) adds its own measurements to the same file.
/// </summary>
internal sealed class ScaleOutBenchmark : IBenchmark
{
    private const int PerSecond = 1000;
    private const int Seconds = 10;
    private const int Burst = 5000;

    // The hosts start (compile the role) before the first timer is due: lateness must not include start-up.
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(30);

    // Before the measured timers, every round's hosts fire a warm-up stream (WarmUp timers over one second, due WarmUpAhead before the first measured one):
    // the figures are those of running hosts, as a service is for months; the warm-up's own lateness is a freshly started host's.
    private const int WarmUp = 1000;
    private static readonly TimeSpan WarmUpAhead = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private static readonly (string Name, bool Postgres, int Hosts)[] Setups =
    [
        ("SQLite, 1 host (baseline)", false, 1),
        ("PostgreSQL, 1 host", true, 1),
        ("PostgreSQL, 3 hosts", true, 3),
    ];

    // The burst again on PostgreSQL with each host held to Cores (setups 3 and 4 in SCALE_OUT_SETUPS), then with the thread pool's
    // spin-waiting off in the hosts (5 and 6): under a quota a host's idle pool threads spin its CPU away between hand-offs.
    private static readonly (int Hosts, bool SpinOff)[] Held = [(1, false), (3, false), (1, true), (3, true)];

    // What turns the spinning off (docs/scale-out.md tells users with CPU limits about it).
    private static readonly Dictionary<string, string> SpinOff = new() { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0" };

    public string Name => "scale-out";

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("SCALE_OUT_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) && rounds > 0 ? rounds : 3;

    // SCALE_OUT_SETUPS=1,2 runs only those setups (0 SQLite, 1 and 2 PostgreSQL with 1 and 3 hosts, 3 and 4 their bursts with each host held to SCALE_OUT_CORES, 5 and 6 the same with the thread pool's spinning off) and no store section: a quick look while working on one of them.
    private static HashSet<int>? Only => Environment.GetEnvironmentVariable("SCALE_OUT_SETUPS") is { Length: > 0 } only
        ? [.. only.Split(',').Select(i => int.Parse(i, NumberStyles.None, CultureInfo.InvariantCulture))]
        : null;

    // The CPU budget of each host in the held table (SCALE_OUT_CORES, 0.25 core): 3 hosts take 0.75 of this machine's 2 cores, leaving PostgreSQL and the bench the rest.
    private static double Cores => double.TryParse(Environment.GetEnvironmentVariable("SCALE_OUT_CORES"), NumberStyles.Float, CultureInfo.InvariantCulture, out var cores) && cores > 0 ? cores : 0.25;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench-scale-out-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var loadBefore = LoadAverage();
        try
        {
            using var cluster = new PostgresCluster();
            var text = new StringBuilder();
            text.AppendLine("# Scale-out").AppendLine();
            text.AppendLine(Machine.Describe()).AppendLine();
            text.AppendLine(Invariant($"`make bench-scale-out` (bench/AgentPlugins.Bench/ScaleOut). Real `bin/host` processes with the sample timer role and the console channel (each expiry prints the user's notification), on a PostgreSQL {ServerVersion()} cluster the bench starts in a temporary folder (loopback TCP, fsync off), against one host on its SQLite data folder, in the same run; {Rounds} round(s) per setup, medians. All timers are stored before the hosts start: a warm-up stream falls due {(Lead - WarmUpAhead).TotalSeconds:0} s later and the measured timers {Lead.TotalSeconds:0} s later, so start-up is not measured, and neither is the warm-up's CPU. Fired = the host recorded the expiry delivered (`done_at`): the role's handler ran and its notification was carried out and recorded, so this is an upper bound on when the handler saw it."));
            text.AppendLine();

            var (tripP50, tripP99) = await RoundTripAsync(cluster);
            Console.Error.WriteLine(Invariant($"PostgreSQL round trip: p50 {tripP50:F3} ms, p99 {tripP99:F3} ms"));
            var lateness = new List<(string Setup, double P50, double P99, double Max, double Fresh, Cpu Cpu)>();
            var bursts = new List<(string Setup, double PerSecond, double Seconds, Cpu Cpu)>();
            foreach (var (name, postgres, hosts) in Setups.Where((_, i) => Only is null || Only.Contains(i)))
            {
                var late = new List<(double P50, double P99, double Max, double Fresh, Cpu Cpu)>();
                var burst = new List<(double PerSecond, double Seconds, Cpu Cpu)>();
                for (var round = 0; round < Rounds; round++)
                {
                    late.Add(await LatenessRoundAsync(cluster, Path.Combine(folder, $"late-{hosts}-{postgres}-{round}"), postgres, hosts));
                    Console.Error.WriteLine(Invariant($"{name} lateness round {round + 1}: p50 {late[^1].P50:F0} ms, p99 {late[^1].P99:F0} ms, max {late[^1].Max:F0} ms, warm-up (fresh hosts) p99 {late[^1].Fresh:F0} ms; CPU per timer {late[^1].Cpu.HostUs:F0} us in hosts, {late[^1].Cpu.PostgresUs:F0} us in PostgreSQL, {late[^1].Cpu.Statements:F2} statements (load {LoadAverage()})"));
                    burst.Add(await BurstRoundAsync(cluster, Path.Combine(folder, $"burst-{hosts}-{postgres}-{round}"), postgres, hosts));
                    Console.Error.WriteLine(Invariant($"{name} burst round {round + 1}: {burst[^1].PerSecond:F0} timers/s ({burst[^1].Seconds:F2} s); CPU per timer {burst[^1].Cpu.HostUs:F0} us in hosts, {burst[^1].Cpu.PostgresUs:F0} us in PostgreSQL, {burst[^1].Cpu.Statements:F2} statements (load {LoadAverage()})"));
                }

                lateness.Add((name, Stats.Median(late.Select(l => l.P50)), Stats.Median(late.Select(l => l.P99)), Stats.Median(late.Select(l => l.Max)), Stats.Median(late.Select(l => l.Fresh)), Cpu.Median(late.Select(l => l.Cpu))));
                bursts.Add((name, Stats.Median(burst.Select(b => b.PerSecond)), Stats.Median(burst.Select(b => b.Seconds)), Cpu.Median(burst.Select(b => b.Cpu))));
            }

            var held = new List<(string Setup, int Hosts, bool SpinOff, double PerSecond, double Seconds, Cpu Cpu)>();
            string? heldSkipped = null;
            var heldWanted = Held.Where((_, i) => Only is null || Only.Contains(Setups.Length + i)).ToList();
            if (heldWanted.Count > 0)
            {
                using var budget = CpuBudget.TryCreate(out var whyNot);
                if (budget is null)
                {
                    heldSkipped = whyNot;
                    Console.Error.WriteLine($"Held bursts skipped: {whyNot}");
                }
                else
                {
                    foreach (var (hosts, spinOff) in heldWanted)
                    {
                        var name = Invariant($"PostgreSQL, {hosts} host{(hosts == 1 ? string.Empty : "s")}, each held to {Cores:0.##} core{(spinOff ? ", spinning off" : string.Empty)}");
                        var burst = new List<(double PerSecond, double Seconds, Cpu Cpu)>();
                        for (var round = 0; round < Rounds; round++)
                        {
                            burst.Add(await BurstRoundAsync(cluster, Path.Combine(folder, $"held-{hosts}-{spinOff}-{round}"), true, hosts, budget, spinOff ? SpinOff : null));
                            Console.Error.WriteLine(Invariant($"{name} burst round {round + 1}: {burst[^1].PerSecond:F0} timers/s ({burst[^1].Seconds:F2} s); CPU per timer {burst[^1].Cpu.HostUs:F0} us in hosts, {burst[^1].Cpu.PostgresUs:F0} us in PostgreSQL, {burst[^1].Cpu.Statements:F2} statements (load {LoadAverage()})"));
                        }

                        held.Add((name, hosts, spinOff, Stats.Median(burst.Select(b => b.PerSecond)), Stats.Median(burst.Select(b => b.Seconds)), Cpu.Median(burst.Select(b => b.Cpu))));
                    }
                }
            }

            text.AppendLine("## Timers").AppendLine();
            text.AppendLine(Invariant($"A PostgreSQL round trip (`SELECT 1` on one open connection, 2,000 times) took p50 {tripP50:F3} ms, p99 {tripP99:F3} ms in this run. Each expiry costs a host at least one round trip that cannot overlap the next expiry's: its notification's record is committed (with the timer's fired mark, in one commit) before the next effect may run (what bounds a crash to one repeated effect), so one host fires at most about 1 / p50 expiries per second. On PostgreSQL a host claims what falls due within the next {PostgresTimerStore.AheadMs} ms in one round trip and delivers each timer at its due time, and holds claimed but not yet dispatched at most what it gets through in {ClaimBudget.WindowMs} ms at its own measured pace (at most {DurableTimerService.SharedSlice}), so hosts share due timers in small slices and a host's own backlog adds little lateness. CPU per timer is the CPU time used from the first due time to the last fired, divided by the timers: all hosts together, and the PostgreSQL cluster (whose backends also answer the bench's polling); statements per timer are what the database ran over the same span as `pg_stat_statements` counts them, divided by the timers."));
            text.AppendLine();
            text.AppendLine("### Firing lateness at 1,000 due/s").AppendLine();
            text.AppendLine(Invariant($"{PerSecond:N0} timers coming due per second for {Seconds} s ({PerSecond * Seconds:N0} timers, one every {1000.0 / PerSecond:0.#} ms). Lateness = fired − due. Goal on PostgreSQL: p99 ≤ 50 ms. The hosts have fired a warm-up stream first ({WarmUp:N0} timers over one second, due {WarmUpAhead.TotalSeconds:0} s before the measured ones), so p50, p99 and max are those of running hosts, as a service is for months. The warm-up's own p99 is given beside them: it is a freshly started host's first second, where the runtime still compiles the firing path (JIT for code without ReadyToRun code, then the tiered JIT compiling hot code again). The bench prints the p99 of each second of the stream, and each host's share, on stderr."));
            text.AppendLine();
            text.AppendLine(Invariant($"| setup | p50 | p99 | max | fresh hosts: p99 of the warm-up | CPU per timer: hosts | CPU per timer: PostgreSQL | statements per timer |"));
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var (setup, p50, p99, max, fresh, cpu) in lateness)
            {
                text.AppendLine(Invariant($"| {setup} | {p50:F0} ms | {p99:F0} ms | {max:F0} ms | {fresh:F0} ms | {cpu.HostUs:F0} µs | {cpu.PostgresUs:F0} µs | {cpu.StatementsText} |"));
            }

            text.AppendLine();
            text.AppendLine("### Timers fired per second").AppendLine();
            text.AppendLine(Invariant($"{Burst:N0} timers all due at the same instant; rate = {Burst:N0} / (last fired − due). Goal: 3 hosts ≥ 2× one host on PostgreSQL."));
            text.AppendLine();
            text.AppendLine("| setup | timers/s | all fired after | vs SQLite | vs 1 host on PostgreSQL | CPU per timer: hosts | CPU per timer: PostgreSQL | statements per timer |");
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            var baseline = bursts.Find(b => b.Setup == Setups[0].Name).PerSecond;
            var onePostgres = bursts.Find(b => b.Setup == Setups[1].Name).PerSecond;
            foreach (var (setup, perSecond, seconds, cpu) in bursts)
            {
                text.AppendLine(Invariant($"| {setup} | {perSecond:N0} | {seconds:F2} s | {Ratio(perSecond, baseline)} | {Ratio(perSecond, onePostgres)} | {cpu.HostUs:F0} µs | {cpu.PostgresUs:F0} µs | {cpu.StatementsText} |"));
            }

            text.AppendLine();
            if (heldWanted.Count > 0)
            {
                AppendHeld(text, held, heldSkipped);
            }

            if (Only is null)
            {
                text.AppendLine("## Store operations per second").AppendLine();
                text.AppendLine(await StoreSection.RunAsync(cluster, Rounds, cancellationToken));
            }

            text.AppendLine(Invariant($"Load average (1 min) at the start: {loadBefore}; at the end: {LoadAverage()}. The machine has {Environment.ProcessorCount} cores shared with other work: PostgreSQL, every host and the bench compete for them, so 3 hosts cannot be faster than the cores allow."));
            return text.ToString();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // The burst with each host held to Cores: what adding hosts adds when each brings its own CPU.
    private static void AppendHeld(StringBuilder text, List<(string Setup, int Hosts, bool SpinOff, double PerSecond, double Seconds, Cpu Cpu)> held, string? skipped)
    {
        text.AppendLine(Invariant($"### Timers fired per second, each host held to {Cores:0.##} core")).AppendLine();
        if (skipped is not null)
        {
            text.AppendLine(Invariant($"Skipped in this run: {skipped}. Without a CPU budget per host every host shares this machine's cores, and the table above is the only figure.")).AppendLine();
            return;
        }

        text.AppendLine(Invariant($"The same burst of {Burst:N0}, with each host process (and its compiler process) held to {Cores:0.##} of a core by a CPU cgroup of its own (quota {Cores * CpuBudget.PeriodUs / 1000:0.##} ms per {CpuBudget.PeriodUs / 1000} ms period), set once the host is ready (so the .NET runtime in it sees this machine's {Environment.ProcessorCount} processors, as it does under a quota set from outside; one started inside a quarter-core quota sees one processor and sizes its thread pool for that); PostgreSQL and the bench are not held. This emulates hosts that each run on a machine of their own with that much CPU, so adding a host adds CPU: it shows whether the design turns more hosts into more timers per second. The table above is the other figure: every host sharing this machine's {Environment.ProcessorCount} cores with PostgreSQL, where 3 hosts cannot add CPU. {Cores:0.##} core per host keeps 3 hosts at {3 * Cores:0.##} core, leaving PostgreSQL (about 150–190 µs per timer, so about half a core at 3,000 timers/s) and the bench the rest of the machine, so the database is not what caps 3 held hosts. Cores used per host = the hosts' CPU time over the burst / its duration / hosts."));
        text.AppendLine();
        text.AppendLine(Invariant($"\"Spinning off\": the same hosts with `DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0` in their environment. Between hand-offs the .NET thread pool's idle threads spin for a moment before they sleep, which costs little on a free core but under a quota spends the quota: the table then shows how much of a held host's CPU went to spinning, and compares 3 hosts with 1 when neither wastes it. The host itself keeps the runtime's default (on free cores the spinning keeps hand-offs quick); \"vs 1 host held\" compares rows with the same setting."));
        text.AppendLine();
        text.AppendLine("| setup | timers/s | all fired after | vs 1 host held | cores used per host | CPU per timer: hosts | CPU per timer: PostgreSQL | statements per timer |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (setup, hosts, spinOff, perSecond, seconds, cpu) in held)
        {
            var one = held.Find(h => h.Hosts == 1 && h.SpinOff == spinOff).PerSecond;
            var used = cpu.HostUs * Burst / 1e6 / seconds / hosts;
            text.AppendLine(Invariant($"| {setup} | {perSecond:N0} | {seconds:F2} s | {Ratio(perSecond, one)} | {used:F2} | {cpu.HostUs:F0} µs | {cpu.PostgresUs:F0} µs | {cpu.StatementsText} |"));
        }

        text.AppendLine();
    }

    private static async Task<(double P50, double P99, double Max, double Fresh, Cpu Cpu)> LatenessRoundAsync(PostgresCluster cluster, string folder, bool postgres, int hosts)
    {
        var spacing = TimeSpan.FromSeconds(1.0 / PerSecond);
        var (fired, warmUp, cpu) = await RunAsync(cluster, folder, postgres, hosts, PerSecond * Seconds, (first, i) => first + (i * spacing));
        var late = fired.Select(f => (double)(f.DoneMs - f.DueMs)).ToList();
        return (Stats.Percentile(late, 50), Stats.Percentile(late, 99), late.Max(), Stats.Percentile([.. warmUp.Select(f => (double)(f.DoneMs - f.DueMs))], 99), cpu);
    }

    private static async Task<(double PerSecond, double Seconds, Cpu Cpu)> BurstRoundAsync(PostgresCluster cluster, string folder, bool postgres, int hosts, CpuBudget? budget = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (fired, _, cpu) = await RunAsync(cluster, folder, postgres, hosts, Burst, (first, _) => first, budget, environment);
        var seconds = (fired.Max(f => f.DoneMs) - fired[0].DueMs) / 1000.0;
        return (Burst / seconds, seconds, cpu);
    }

    /// <summary>CPU time per timer fired, in microseconds: all hosts together, and the PostgreSQL cluster (0 on SQLite); and the statements the database ran per timer.</summary>
    private sealed record Cpu(double HostUs, double PostgresUs, double Statements)
    {
        public static Cpu Median(IEnumerable<Cpu> rounds) => new(Stats.Median(rounds.Select(r => r.HostUs)), Stats.Median(rounds.Select(r => r.PostgresUs)), Stats.Median(rounds.Select(r => r.Statements)));

        /// <summary>The statements column: none on SQLite.</summary>
        public string StatementsText => PostgresUs > 0 || Statements > 0 ? Invariant($"{Statements:F2}") : "–";
    }

    private sealed record Round(IReadOnlyList<(long DueMs, long DoneMs)> Fired, IReadOnlyList<(long DueMs, long DoneMs)> WarmUp, Cpu Cpu);

    // Stores the warm-up and the measured timers, starts the hosts, waits until every timer is fired, stops the hosts and returns what the store recorded.
    // With a budget, each host (and its compiler process) is held to Cores once it is ready.
    private static async Task<Round> RunAsync(PostgresCluster cluster, string folder, bool postgres, int hosts, int count, Func<DateTimeOffset, int, DateTimeOffset> due, CpuBudget? budget = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var connectionString = postgres ? await cluster.CreateDatabaseAsync() : null;
        await using var group = new HostGroup(folder, connectionString, hosts, TimeSpan.FromSeconds(30));
        var first = DateTimeOffset.UtcNow + Lead;
        var warmUpSpacing = TimeSpan.FromSeconds(1.0 / WarmUp);
        await group.ScheduleAsync("w", WarmUp, i => first - WarmUpAhead + (i * warmUpSpacing));
        await group.ScheduleAsync("b", count, i => due(first, i));
        await group.StartAsync(Patience, environment);
        var groups = new List<string>();
        if (budget is not null)
        {
            foreach (var (host, i) in group.Hosts.Select((h, i) => (h, i)))
            {
                var name = Invariant($"{Path.GetFileName(folder)}-host-{i}");
                budget.Hold(name, Cores, host.Id, host.Children);
                groups.Add(name);
            }
        }

        if (DateTimeOffset.UtcNow >= first - WarmUpAhead)
        {
            throw new InvalidOperationException(Invariant($"The hosts took longer than {(Lead - WarmUpAhead).TotalSeconds:0} s to start; the round would measure start-up."));
        }

        // CPU is counted from the first due time: the hosts' start-up is not the timers' cost.
        var untilDue = first - DateTimeOffset.UtcNow;
        if (untilDue > TimeSpan.Zero)
        {
            await Task.Delay(untilDue);
        }

        var hostCpu = group.Hosts.Sum(h => h.CpuSeconds);
        var pgCpu = PostgresCpuSeconds(cluster);
        var statements = connectionString is null ? 0 : (await cluster.StatementCallsAsync(connectionString)).Calls;
        var deadline = DateTime.UtcNow + Patience;
        IReadOnlyList<(long DueMs, long DoneMs)> fired = [];
        while (fired.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(Invariant($"{fired.Count:N0} of {count:N0} timers fired in {Patience}."));
            }

            await Task.Delay(250);
            fired = await group.FiredAsync("b");
        }

        // Up to the last timer fired: the hosts' and the cluster's (its backends serve the bench's polling too).
        var hostsUs = (group.Hosts.Sum(h => h.CpuSeconds) - hostCpu) * 1e6 / count;
        var postgresUs = (PostgresCpuSeconds(cluster) - pgCpu) * 1e6 / count;
        var ran = 0.0;
        if (connectionString is not null)
        {
            var (calls, top) = await cluster.StatementCallsAsync(connectionString, top: 6);
            ran = (calls - statements) / (double)count;
            Console.Error.WriteLine(string.Join(Environment.NewLine, top.Select(t => Invariant($"  {t.Calls,8} {t.Query.ReplaceLineEndings(" ")[..Math.Min(110, t.Query.ReplaceLineEndings(" ").Length)]}"))));
        }

        var cpu = new Cpu(hostsUs, postgresUs, ran);
        if (connectionString is not null && hosts > 1)
        {
            Console.Error.WriteLine(await PerHostAsync(connectionString));
        }

        if (budget is not null)
        {
            Console.Error.WriteLine(Invariant($"  held back by the budget (cgroup {budget.Version}): {string.Join(", ", groups.Select(g => $"{budget.ThrottledSeconds(g):F2} s"))} since the hosts were ready"));
        }

        var warmUp = await group.FiredAsync("w");
        if (warmUp.Count < WarmUp)
        {
            throw new InvalidOperationException(Invariant($"Only {warmUp.Count:N0} of the {WarmUp:N0} warm-up timers fired before the measured ones were all fired."));
        }

        await group.StopAsync(Patience);
        return new Round(fired, warmUp, cpu);
    }

    // How the timers were shared and how late each host fired them: a host that took more than it got through shows here.
    private static async Task<string> PerHostAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new Npgsql.NpgsqlCommand("""
            SELECT claimed_by, count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY done_at - due_at), percentile_disc(0.99) WITHIN GROUP (ORDER BY done_at - due_at), max(done_at - due_at)
            FROM timers WHERE state = 'fired' AND label LIKE 'b-%' GROUP BY claimed_by ORDER BY claimed_by
            """, connection);
        await using var reader = await select.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(Invariant($"  {reader.GetString(0)}: {reader.GetInt64(1):N0} timers, lateness p50 {reader.GetInt64(2)} ms, p99 {reader.GetInt64(3)} ms, max {reader.GetInt64(4)} ms"));
        }

        await reader.DisposeAsync();

        // When the late ones fell due: a stall of the whole machine shows in one second, a host falling behind in many.
        await using var bySecond = new Npgsql.NpgsqlCommand("""
            SELECT (due_at - min(due_at) OVER ()) / 1000 AS second, done_at - due_at AS late FROM timers WHERE state = 'fired' AND label LIKE 'b-%'
            """, connection);
        await using var seconds = await bySecond.ExecuteReaderAsync();
        var late = new SortedDictionary<long, List<double>>();
        while (await seconds.ReadAsync())
        {
            var second = seconds.GetInt64(0);
            if (!late.TryGetValue(second, out var list))
            {
                late[second] = list = [];
            }

            list.Add(seconds.GetInt64(1));
        }

        lines.Add("  p99 by second of due time: " + string.Join(", ", late.Select(l => Invariant($"{Stats.Percentile(l.Value, 99):F0}"))) + " ms");
        return string.Join(Environment.NewLine, lines);
    }

    private static async Task<(double P50, double P99)> RoundTripAsync(PostgresCluster cluster)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var select = new Npgsql.NpgsqlCommand("SELECT 1", connection);
        var times = new List<double>();
        for (var i = 0; i < 2200; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await select.ExecuteScalarAsync();
            if (i >= 200)
            {
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return (Stats.Percentile(times, 50), Stats.Percentile(times, 99));
    }

    // The cluster's CPU time: the postmaster with its finished children, and every live backend.
    private static double PostgresCpuSeconds(PostgresCluster cluster)
    {
        var pidFile = Path.Combine(cluster.Folder, "data", "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return 0;
        }

        var postmaster = File.ReadLines(pidFile).First().Trim();
        long ticks = 0;
        foreach (var proc in Directory.GetDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(proc, "stat")).Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (Path.GetFileName(proc) == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture) + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                }
                else if (fields[1] == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return ticks / 100.0;
    }

    private static string ServerVersion()
    {
        var bin = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).Max() : null;
        return bin ?? "server";
    }

    // A setup left out (SCALE_OUT_SETUPS) has no rate to compare with.
    private static string Ratio(double rate, double to) => to > 0 ? Invariant($"{rate / to:F2}×") : "–";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
