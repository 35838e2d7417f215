using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Supervision;

/// <summary>A roles folder, data folder and plugins.json for runs of the real bin/host, with short loop limits.</summary>
internal sealed class HostFolder : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();

    public HostFolder(string loop = """{ "slowCallThreshold": "00:00:00.500", "hardLimit": "00:00:02" }""", params (string Name, string Source)[] roles)
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        foreach (var (name, source) in roles)
        {
            _folder.Write(Path.Combine("roles", name), source);
        }

        Config = _folder.Write("plugins.json", $$"""{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" }, "loop": {{loop}} }""");
    }

    public string Root => _folder.Path;

    public string Config { get; }

    public string Data => Path.Combine(_folder.Path, "data");

    public string Role(string name) => Path.Combine(_folder.Path, "roles", name);

    public string Write(string relativePath, string content) => _folder.Write(relativePath, content);

    public HostProcess Start(IReadOnlyDictionary<string, string>? environment = null) =>
        HostProcess.Start(_folder.Path, environment, "run", "--config", Config);

    /// <summary>Runs <c>bin/host roles ARGS</c> on this folder's data folder; returns exit code and stdout.</summary>
    public async Task<(int Code, string Output, string Errors)> RolesAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Repository.HostExecutable)
        {
            WorkingDirectory = _folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["roles", "--config", Config, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Polls <c>host roles --json</c> until <paramref name="match"/> holds for the output.</summary>
    public async Task<string> WaitForRolesAsync(Func<string, bool> match)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < Patience)
        {
            var (code, output, errors) = await RolesAsync("--json");
            last = $"exit {code}\n{output}\n{errors}";
            if (code == 0 && match(output))
            {
                return output;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"host roles never matched; last:\n{last}");
    }

    public void Dispose() => _folder.Dispose();
}
