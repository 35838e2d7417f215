using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace AgentPlugins.Host.Plugins;

/// <summary>
/// Asks MSBuild (<c>dotnet msbuild</c>, the SDK that builds the plugin) what a plugin project
/// compiles: its Compile items and resolved references exactly as <c>dotnet build</c> passes them to
/// the compiler, so validate checks the code the build compiles, not a guess from the folder.
/// Restores the project first when it needs it, and builds its project references, as a build would.
/// </summary>
internal static class PluginProjectReader
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private static readonly string[] Properties = ["AssemblyName", "LangVersion", "Nullable", "DefineConstants", "AllowUnsafeBlocks", "BaseOutputPath"];

    /// <exception cref="PluginProjectException">MSBuild could not be run, or could not evaluate, restore or resolve the project; the message says what it printed.</exception>
    public static EvaluatedProject Read(string projectPath, CancellationToken cancellationToken = default)
    {
        var project = Path.GetFullPath(projectPath);
        var (exitCode, output, errors) = RunMsBuild(project, cancellationToken);
        if (exitCode != 0)
        {
            var said = string.Join(Environment.NewLine, (output + Environment.NewLine + errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(10));
            throw new PluginProjectException($"{project}: MSBuild could not evaluate the project (exit code {exitCode}): {(said.Length > 0 ? said : (output + errors).Trim())}");
        }

        try
        {
            return Parse(project, output);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new PluginProjectException($"{project}: MSBuild's answer could not be read ({ex.Message}): {output.Trim()}", ex);
        }
    }

    private static EvaluatedProject Parse(string project, string output)
    {
        // With -getItem/-getProperty MSBuild prints one JSON object; a restore may print lines before it.
        var start = output.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            throw new PluginProjectException($"{project}: MSBuild printed no answer: {output.Trim()}");
        }

        using var json = JsonDocument.Parse(output[start..]);
        var properties = json.RootElement.GetProperty("Properties");
        var items = json.RootElement.GetProperty("Items");
        string? Property(string name) => properties.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text ? text : null;
        IReadOnlyList<string> Item(string name) => items.TryGetProperty(name, out var list)
            ? [.. list.EnumerateArray().Select(i => i.GetProperty("FullPath").GetString()!).Distinct(StringComparer.Ordinal)]
            : [];

        var folder = Path.GetDirectoryName(project)!;
        return new EvaluatedProject(
            project,
            Property("AssemblyName") ?? Path.GetFileNameWithoutExtension(project),
            Item("Compile"),
            Item("ReferencePathWithRefAssemblies"),
            Property("LangVersion"),
            Property("Nullable"),
            [.. (Property("DefineConstants") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            string.Equals(Property("AllowUnsafeBlocks"), "true", StringComparison.OrdinalIgnoreCase),
            Path.GetFullPath(Path.Combine(folder, (Property("BaseOutputPath") ?? "bin").Replace('\\', Path.DirectorySeparatorChar))));
    }

    private static (int ExitCode, string Output, string Errors) RunMsBuild(string project, CancellationToken cancellationToken)
    {
        // The dotnet that runs this host when it runs under one (DOTNET_HOST_PATH), else the one on PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = Path.GetDirectoryName(project)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "msbuild", project, "-restore", "-nologo", "-verbosity:quiet", "-nodeReuse:false",
            "-target:FindReferenceAssembliesForReferences", "-getItem:Compile", "-getItem:ReferencePathWithRefAssemblies",
            .. Properties.Select(p => $"-getProperty:{p}"),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PluginProjectException($"{project}: `{dotnet} msbuild` did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new PluginProjectException($"{project}: checking a plugin project needs the .NET SDK (`dotnet`) to evaluate it, and `{dotnet}` cannot be run: {ex.Message}", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(Limit);
            try
            {
                process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new PluginProjectException($"{project}: MSBuild did not answer within {Limit.TotalMinutes:F0} minutes.");
            }

            return (process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
        }
    }
}
