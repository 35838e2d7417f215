using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// The way without hot reload: the same one-line change made to the sample role as a compiled
/// plugin (a class library against the SDK and Semantic Kernel), <c>dotnet build</c>, then a restart
/// of the host process until it answers the next request. This host does not load compiled
/// plugins itself, so the restarted host serves the same role from its .cs file with a warm compile
/// cache: the restart costs what a restart costs, with no compile in it.
/// </summary>
internal static class RebuildRestart
{
    public static async Task<(double Build, double Restart, double Total, int Rounds)> RunAsync(int rounds)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        var plugin = Path.Combine(folder, "plugin");
        var roles = Path.Combine(folder, "roles");
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(plugin);
        Directory.CreateDirectory(roles);
        try
        {
            var sdk = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Repository.HostExecutable))!, ".host", "AgentPlugins.Sdk.dll");
            await File.WriteAllTextAsync(Path.Combine(plugin, "SamplePlugin.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="AgentPlugins.Sdk" HintPath="{sdk}" />
                    <PackageReference Include="Microsoft.SemanticKernel.Abstractions" Version="1.82.0" />
                  </ItemGroup>
                </Project>
                """);
            await EditAsync(plugin, roles, "startmarker");
            await DotnetBuildAsync(plugin);
            await AnswerAfterRestartAsync(roles, data, "startmarker");

            var builds = new List<double>();
            var restarts = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var marker = $"rebuilt{round}";
                await EditAsync(plugin, roles, marker);
                var started = Stopwatch.GetTimestamp();
                await DotnetBuildAsync(plugin);
                builds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                restarts.Add(await AnswerAfterRestartAsync(roles, data, marker));
            }

            builds.Sort();
            restarts.Sort();
            var build = builds[builds.Count / 2];
            var restart = restarts[restarts.Count / 2];
            return (build, restart, build + restart, rounds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task EditAsync(string plugin, string roles, string marker)
    {
        var source = BenchRoles.Sample(marker);
        await File.WriteAllTextAsync(Path.Combine(plugin, "SampleRole.cs"), source);
        await File.WriteAllTextAsync(Path.Combine(roles, "sample.cs"), source);
    }

    private static async Task DotnetBuildAsync(string project)
    {
        var start = new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var build = Process.Start(start)!;
        var output = build.StandardOutput.ReadToEndAsync();
        var error = build.StandardError.ReadToEndAsync();
        await build.WaitForExitAsync();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build of the plugin failed:{Environment.NewLine}{await output}{await error}");
        }
    }

    // From the restart to the answer of the first request: the host reads it once it is ready.
    private static async Task<double> AnswerAfterRestartAsync(string roles, string data, string marker)
    {
        var started = Stopwatch.GetTimestamp();
        await using var host = HostProcess.StartRun(roles, data);
        await host.SendAsync("/sample say");
        var answered = await host.WaitForAsync(marker, TimeSpan.FromSeconds(120));
        return Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds;
    }
}
