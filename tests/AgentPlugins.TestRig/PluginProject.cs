using System.Diagnostics;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// A fixture plugin project (tests/fixtures/plugins/NAME) copied into a temporary folder and built
/// for real with <c>dotnet build</c> against the host's own SDK and Semantic Kernel assemblies (the
/// running test's folder, which a Directory.Build.props beside the copy gives as <c>HostFolder</c>, so
/// <c>dotnet build</c> and <c>host validate</c> see the same project). The first build restores (from the
/// local NuGet cache once a restore has run on the machine); later builds of the same project do not.
/// </summary>
internal sealed class PluginProject
{
    private bool _restored;

    public PluginProject(string fixture, string folder)
    {
        Folder = folder;
        foreach (var file in Directory.GetFiles(Repository.Fixture(Path.Combine("plugins", fixture))))
        {
            Directory.CreateDirectory(folder);
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }

        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"<Project><PropertyGroup><HostFolder>{AppContext.BaseDirectory}</HostFolder></PropertyGroup></Project>");
    }

    /// <summary>Where <c>dotnet build -c Release</c> puts the project's build by default (what <c>host validate</c> looks at).</summary>
    public string DefaultOutput => Path.Combine(Folder, "bin", "Release", "net10.0");

    /// <summary>The project's folder (sources, obj).</summary>
    public string Folder { get; }

    /// <summary>Changes one source file of the project.</summary>
    public void Edit(string file, Func<string, string> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var path = Path.Combine(Folder, file);
        var before = File.ReadAllText(path);
        var after = change(before);
        if (after == before)
        {
            throw new InvalidOperationException($"The edit of {file} changed nothing.");
        }

        File.WriteAllText(path, after);
    }

    /// <summary>Runs <c>dotnet build</c> into <paramref name="output"/>; returns its exit code and output, and how long it took.</summary>
    public async Task<(int ExitCode, string Log, TimeSpan Took)> BuildAsync(string output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "build", "-c", "Release", "-nologo", "-v", "q", "-nodeReuse:false", "-o", output, $"-p:HostFolder={AppContext.BaseDirectory}" })
        {
            start.ArgumentList.Add(argument);
        }

        if (_restored)
        {
            start.ArgumentList.Add("--no-restore");
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var log = await stdout + await stderr;
        _restored |= process.ExitCode == 0;
        return (process.ExitCode, log, clock.Elapsed);
    }
}
