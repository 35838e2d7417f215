using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;

namespace AgentPlugins.Bench.Validation;

/// <summary>
/// <c>bench validate</c>: the wall time of one <c>bin/host validate</c> process over 1, 10 and 100 role
/// files (variants of the sample roles), start-up included; <c>dotnet build</c> of a project holding
/// the same 100 files, in the same run; and the warm per-file cost of each step, in-process.
/// </summary>
internal sealed class ValidateBenchmark : IBenchmark
{
    private const int ProcessRuns = 5;
    private const int BuildRuns = 3;
    private const int WarmRounds = 5;
    private static readonly int[] Sizes = [1, 10, 100];

    // What a role compiles against besides the framework, as the host's ReferenceSet has it.
    private static readonly string[] SharedAssemblies =
    [
        "AgentPlugins.Sdk", "Microsoft.SemanticKernel.Abstractions", "Microsoft.Extensions.AI.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.DependencyInjection.Abstractions",
    ];

    public string Name => "validate";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var root = FindRoot();
        var host = Path.Combine(root, "bin", "host");
        if (!File.Exists(host))
        {
            throw new InvalidOperationException($"{host} is missing; run `make build` first.");
        }

        var work = Path.Combine(Path.GetTempPath(), "agentplugins-bench-validate", Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var report = new StringBuilder();
            report.AppendLine("# `host validate`: wall time").AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}.  ");
            report.AppendLine(CultureInfo.InvariantCulture, $"Load average at start: {LoadAverage()} (the 2 cores are shared; a busy machine stretches wall times).  ");
            report.AppendLine("Command: `make bench-validate` (bench/AgentPlugins.Bench/Validation/ValidateBenchmark.cs).").AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Role files are variants of the sample roles in roles/ (own role and type names). Each row is one `bin/host validate FOLDER` process, start-up included, median of {ProcessRuns} runs.").AppendLine();
            report.AppendLine("| role files | wall, median | min | max | CPU (user + sys), median | exit |");
            report.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");

            TimeSpan? one = null;
            TimeSpan? hundred = null;
            foreach (var size in Sizes)
            {
                var folder = Path.Combine(work, $"roles-{size}");
                RoleVariants.Write(Path.Combine(root, "roles"), folder, size);
                var runs = new List<ProcessTimer.Run>();
                for (var i = 0; i < ProcessRuns; i++)
                {
                    runs.Add(await ProcessTimer.RunAsync(host, root, ["validate", folder], cancellationToken, measureCpu: true));
                }

                if (runs.Any(r => r.ExitCode != 0))
                {
                    throw new InvalidOperationException($"The generated roles do not validate clean:\n{runs.First(r => r.ExitCode != 0).Output}");
                }

                var median = ProcessTimer.Median(runs.Select(r => r.Elapsed));
                var cpu = runs.All(r => r.Cpu is not null) ? Seconds(ProcessTimer.Median(runs.Select(r => r.Cpu!.Value))) : "n/a";
                one = size == 1 ? median : one;
                hundred = size == 100 ? median : hundred;
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {size} | {Seconds(median)} | {Seconds(runs.Min(r => r.Elapsed))} | {Seconds(runs.Max(r => r.Elapsed))} | {cpu} | 0 |");
            }

            // The samples differ in size (the prompt roles are a few lines); the biggest one alone is the heavier case.
            var heavy = Path.Combine(work, "timer-100");
            RoleVariants.Write([Path.Combine(root, "roles", "timer.cs")], heavy, 100);
            var heavyRuns = new List<ProcessTimer.Run>();
            for (var i = 0; i < ProcessRuns; i++)
            {
                heavyRuns.Add(await ProcessTimer.RunAsync(host, root, ["validate", heavy], cancellationToken, measureCpu: true));
            }

            var heavyMedian = ProcessTimer.Median(heavyRuns.Select(r => r.Elapsed));
            var heavyCpu = heavyRuns.All(r => r.Cpu is not null) ? Seconds(ProcessTimer.Median(heavyRuns.Select(r => r.Cpu!.Value))) : "n/a";
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| 100, all variants of timer.cs ({File.ReadAllLines(Path.Combine(root, "roles", "timer.cs")).Length} lines, the biggest sample) | {Seconds(heavyMedian)} | {Seconds(heavyRuns.Min(r => r.Elapsed))} | {Seconds(heavyRuns.Max(r => r.Elapsed))} | {heavyCpu} | {heavyRuns.Max(r => r.ExitCode)} |");

            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Each file past the first adds {(hundred!.Value - one!.Value).TotalMilliseconds / 99:F0} ms of wall time (two files compile at once, one per core).").AppendLine();
            static string Verdict(TimeSpan time) => time <= TimeSpan.FromSeconds(3) ? "met" : "not met";
            report.AppendLine(CultureInfo.InvariantCulture,
                $"Goal: 100 files in ≤ 3 s including process start: **{Verdict(hundred.Value)}** for the sample mix ({Seconds(hundred.Value)}), **{Verdict(heavyMedian)}** for 100 variants of timer.cs ({Seconds(heavyMedian)}).").AppendLine();

            var build = await DotnetBuildAsync(root, work, cancellationToken);
            report.AppendLine("## Compared with `dotnet build` of the same 100 files").AppendLine();
            report.AppendLine("One generated project (the role files, the host's implicit usings, references to the SDK and Semantic Kernel's abstractions), restored once, then");
            report.AppendLine(CultureInfo.InvariantCulture, $"`dotnet build --no-restore --no-incremental` {BuildRuns} times; MSBuild's and the compiler's build servers are warm after the first run, as on a developer's machine.").AppendLine();
            report.AppendLine("| what | median | min | max |");
            report.AppendLine("| --- | ---: | ---: | ---: |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| `bin/host validate` over 100 files | {Seconds(hundred.Value)} | | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| `dotnet build` of the 100 files | {Seconds(ProcessTimer.Median(build))} | {Seconds(build.Min())} | {Seconds(build.Max())} |").AppendLine();

            report.Append(Warm(Path.Combine(work, "roles-100"), cancellationToken));
            return report.ToString();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<List<TimeSpan>> DotnetBuildAsync(string root, string work, CancellationToken cancellationToken)
    {
        var project = Path.Combine(work, "project");
        RoleVariants.Write(Path.Combine(root, "roles"), project, 100);
        await File.WriteAllTextAsync(Path.Combine(project, "ImplicitUsings.cs"), RoleCompiler.ImplicitUsings, cancellationToken);
        var bin = AppContext.BaseDirectory;
        var references = string.Join(Environment.NewLine, SharedAssemblies.Select(name => $"""    <Reference Include="{name}"><HintPath>{Path.Combine(bin, name + ".dll")}</HintPath></Reference>"""));
        await File.WriteAllTextAsync(Path.Combine(project, "Roles.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <OutputType>Library</OutputType>
                <Optimize>true</Optimize>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """, cancellationToken);

        var restore = await ProcessTimer.RunAsync("dotnet", project, ["restore", "-nologo", "-v", "q"], cancellationToken);
        if (restore.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet restore of the generated project failed:\n{restore.Output}");
        }

        var times = new List<TimeSpan>();
        for (var i = 0; i < BuildRuns; i++)
        {
            var run = await ProcessTimer.RunAsync("dotnet", project, ["build", "--no-restore", "--no-incremental", "-nologo", "-v", "q"], cancellationToken);
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet build of the generated project failed:\n{run.Output}");
            }

            times.Add(run.Elapsed);
        }

        return times;
    }

    // The same steps as RoleCompiler.Check, timed apart, after the JIT has warmed up: what a reload or a
    // long-running validate pays per file.
    private static string Warm(string folder, CancellationToken cancellationToken)
    {
        var compiler = new RoleCompiler(ReferenceSet.Default);
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(path => (Path: path, Source: File.ReadAllText(path))).ToList();
        var rounds = new List<(double Create, double Rules, double Emit)>();
        for (var round = 0; round < WarmRounds + 2; round++)
        {
            var create = TimeSpan.Zero;
            var rules = TimeSpan.Zero;
            var emit = TimeSpan.Zero;
            foreach (var (path, source) in files)
            {
                var watch = Stopwatch.StartNew();
                var compilation = compiler.CreateCompilation(path, source);
                create += watch.Elapsed;
                watch.Restart();
                var analysis = RoleRules.Analyze(compilation, cancellationToken);
                rules += watch.Elapsed;
                watch.Restart();
                RoleCompiler.Emit(compilation, RoleFile.FromText(path, source), analysis.Diagnostics, cancellationToken);
                emit += watch.Elapsed;
            }

            // The first two rounds warm the JIT up and are not counted.
            if (round >= 2)
            {
                rounds.Add((create.TotalMilliseconds / files.Count, rules.TotalMilliseconds / files.Count, emit.TotalMilliseconds / files.Count));
            }
        }

        var median = rounds.OrderBy(r => r.Create + r.Rules + r.Emit).ElementAt(rounds.Count / 2);
        var total = median.Create + median.Rules + median.Emit;
        var text = new StringBuilder();
        text.AppendLine("## Warm, in-process, per file").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`RoleCompiler.Check`'s steps timed apart over the 100 files, one thread, after two warm-up rounds; the round with the median total of {WarmRounds}.").AppendLine();
        text.AppendLine("| step | ms per file | share |");
        text.AppendLine("| --- | ---: | ---: |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| parse + create compilation | {median.Create:F2} | {median.Create / total:P0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| role rules (`RoleRules.Analyze`) | {median.Rules:F2} | {median.Rules / total:P0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| emit (compiler diagnostics, IL, PDB) | {median.Emit:F2} | {median.Emit / total:P0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| total | {total:F2} | |");
        return text.ToString();
    }

    private static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:F2} s");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AgentPlugins.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }
}
