using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>Runs the real <c>bin/host</c> that <c>make build</c> leaves, as a user or CI would.</summary>
internal static class HostCli
{
    public sealed record Outcome(int ExitCode, string Output, string Errors)
    {
        public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Outcome> RunAsync(string workingDirectory, params string[] arguments)
    {
        if (!File.Exists(Repository.HostExecutable))
        {
            throw new InvalidOperationException($"{Repository.HostExecutable} is missing: run `make build` before these tests.");
        }

        var start = new ProcessStartInfo(Repository.HostExecutable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new Outcome(process.ExitCode, await output, await errors);
    }
}
