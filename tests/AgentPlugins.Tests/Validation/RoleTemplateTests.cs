using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentPlugins.Host.Authoring;
using AgentPlugins.Host.Commands;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>The <c>host new role</c> template: valid for any valid name, and a role that runs.</summary>
public sealed partial class RoleTemplateTests
{
    [Theory]
    [InlineData("a", "A")]
    [InlineData("weather", "Weather")]
    [InlineData("price_alerts", "PriceAlerts")]
    [InlineData("x2_y", "X2Y")]
    public void The_template_validates_clean_for_any_valid_name(string name, string type)
    {
        Assert.Equal(type, RoleTemplate.TypeNameOf(name));
        Assert.Empty(Validate.Source(RoleTemplate.Render(name), name + ".cs").Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Weather")]
    [InlineData("2fast")]
    [InlineData("price-alerts")]
    [InlineData("_hidden")]
    public void Bad_names_are_refused_with_exit_2_and_write_nothing(string name)
    {
        using var folder = new TempFolder();
        var errors = new StringWriter();

        Assert.Equal(NewCommand.UsageError, NewCommand.Run(name, folder.Path, null, TextWriter.Null, errors));
        Assert.Contains("is not a role name", errors.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task A_new_role_loads_and_its_tool_runs_through_its_intent_handler()
    {
        await using var runtime = await TestRuntime.Create().StartAsync();
        Assert.Equal(NewCommand.Created, NewCommand.Run("greeter", runtime.RolesFolder, null, TextWriter.Null, TextWriter.Null));

        Assert.Empty(await runtime.LoadFileAsync(Path.Combine(runtime.RolesFolder, "greeter.cs")));
        var reply = await runtime.AskAsync("/greeter echo \"hello there\"");

        Assert.Contains("Echoing 'hello there'", reply.Text, StringComparison.Ordinal);
        await runtime.Console.WaitForAsync(m => m.Text == "hello there");
    }

    [Fact]
    public void The_template_points_only_at_files_that_exist_in_the_repository()
    {
        var template = RoleTemplate.Render("weather");
        var paths = RepositoryPath().Matches(template).Select(m => m.Value).Distinct().ToList();

        Assert.Equal(["docs/roles.md", "roles/timer.cs", "docs/rules.md"], paths);
        Assert.All(paths, path => Assert.True(File.Exists(Path.Combine(Repository.Root, path)), $"{path} does not exist in the repository"));
        Assert.DoesNotMatch(@"https?://|DESIGN|\.\./", template);
    }

    [Fact]
    public async Task New_role_prints_a_check_command_that_works_as_printed_from_anywhere()
    {
        using var folder = new TempFolder();
        folder.Write("plugins.json", """{ "roles": { "folder": "roles" } }""");
        var path = Path.Combine(folder.Path, "roles", "weather.cs");

        var created = await HostCli.RunAsync(folder.Path, "new", "role", "weather");

        Assert.Equal(0, created.ExitCode);
        Assert.Equal($"Check it with: {Repository.HostExecutable} validate {path}", created.OutputLines[1]);
        Assert.Equal((0, string.Empty), await RunPrintedAsync(created.OutputLines[1], folder.Path));
    }

    [Fact]
    public async Task From_the_repository_root_the_check_command_is_bin_host()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "price_alerts.cs");

        var created = await HostCli.RunAsync(Repository.Root, "new", "role", "price_alerts", "--roles", folder.Path);

        Assert.Equal(0, created.ExitCode);
        Assert.Equal($"Check it with: bin/host validate {path}", created.OutputLines[1]);
        Assert.Equal((0, string.Empty), await RunPrintedAsync(created.OutputLines[1], Repository.Root));
    }

    // Runs "Check it with: COMMAND ARGS..." the way a shell would from workingDirectory.
    private static async Task<(int ExitCode, string Output)> RunPrintedAsync(string line, string workingDirectory)
    {
        var words = line["Check it with: ".Length..].Split(' ');
        var start = new ProcessStartInfo(Path.GetFullPath(words[0], workingDirectory)) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var word in words[1..])
        {
            start.ArgumentList.Add(word);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Contains("Checked 1 role file(s): 0 error(s), 0 warning(s).", await errors, StringComparison.Ordinal);
        return (process.ExitCode, await output);
    }

    [GeneratedRegex(@"\b[\w.-]+(?:/[\w.-]+)*\.(?:cs|csx|md|json)\b")]
    private static partial Regex RepositoryPath();
}
