using System.Diagnostics;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;

namespace AgentPlugins.Bench.Validation;

internal sealed class ProbeBenchmark : IBenchmark
{
    public string Name => "probe";

    public Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var compiler = new RoleCompiler(ReferenceSet.Default);
        var files = Directory.GetFiles("/tmp/v100");
        var w = new Cpu();
        var create = 0.0; var analyze = 0.0; var emit = 0.0; var diag = 0.0;
        for (var round = 0; round < 6; round++)
        {
            create = analyze = emit = diag = 0;
            foreach (var f in files)
            {
                var src = File.ReadAllText(f);
                w.Restart();
                var c = compiler.CreateCompilation(f, src);
                create += w.Elapsed.TotalMilliseconds; w.Restart();
                var a = RoleRules.Analyze(c, cancellationToken);
                analyze += w.Elapsed.TotalMilliseconds; w.Restart();
                var d = c.GetDiagnostics(cancellationToken);
                diag += w.Elapsed.TotalMilliseconds; w.Restart();
                RoleCompiler.Emit(c, f, src, a.Diagnostics, cancellationToken);
                emit += w.Elapsed.TotalMilliseconds;
            }
            var perRule = new Dictionary<string, double>();
            foreach (var f in files)
            {
                var src = File.ReadAllText(f);
                var c = compiler.CreateCompilation(f, src);
                var role = RoleSource.Of(c, RoleRules.Triggers, cancellationToken);
                w.Restart();
                _ = role.Types; perRule["types"] = perRule.GetValueOrDefault("types") + w.Elapsed.TotalMilliseconds; w.Restart();
                _ = role.Registration; perRule["registration"] = perRule.GetValueOrDefault("registration") + w.Elapsed.TotalMilliseconds; w.Restart();
                _ = role.Config; perRule["config"] = perRule.GetValueOrDefault("config") + w.Elapsed.TotalMilliseconds; w.Restart();
                _ = role.Operations; perRule["operations"] = perRule.GetValueOrDefault("operations") + w.Elapsed.TotalMilliseconds; w.Restart();
                _ = role.ApiUses; perRule["apiuses"] = perRule.GetValueOrDefault("apiuses") + w.Elapsed.TotalMilliseconds; w.Restart();
                var report = new RuleReport();
                foreach (var rule in RoleRules.PerFile)
                {
                    w.Restart();
                    rule.Check(role, report);
                    perRule[rule.Descriptor.Id] = perRule.GetValueOrDefault(rule.Descriptor.Id) + w.Elapsed.TotalMilliseconds;
                }
            }
            if (round == 5)
            {
                foreach (var (k, v) in perRule)
                {
                    Console.WriteLine($"  {k} {v / files.Length:F2}");
                }
            }

            Console.WriteLine($"round {round}: create {create / files.Length:F1} analyze {analyze / files.Length:F1} diag {diag / files.Length:F1} emit {emit / files.Length:F1} ms/file");
        }
        return Task.FromResult("");
    }
}

internal sealed class Cpu
{
    private TimeSpan _start = Process.GetCurrentProcess().TotalProcessorTime;
    public void Restart() => _start = Process.GetCurrentProcess().TotalProcessorTime;
    public TimeSpan Elapsed => Process.GetCurrentProcess().TotalProcessorTime - _start;
}
