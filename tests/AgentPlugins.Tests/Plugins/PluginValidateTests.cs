using System.Text.Json;
using AgentPlugins.Host.Commands;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Validation;
using AgentPlugins.Tests.Support;
using AgentPlugins.Tests.Validation;

namespace AgentPlugins.Tests.Plugins;

/// <summary>
/// <c>host validate</c> on a plugin project: the role rules over the sources the project compiles (as
/// MSBuild evaluates it), at file:line:col, without the single-file rules; the host's load checks on
/// its build; bad input exits 2. Fixture projects are copied and built for real, in the plugin tests'
/// collection (builds are the slow part and run one at a time).
/// </summary>
[Collection(nameof(CompiledPluginTests))]
public sealed class PluginValidateTests
{
    [Fact]
    public async Task The_greeter_fixture_validates_clean_by_its_sources_and_its_build()
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        await BuildAsync(project, project.DefaultOutput);

        var (exitCode, output, errors) = Validate(new ValidateRequest([project.Folder]));

        Assert.True(exitCode == 0, output + errors);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"Checked plugin project {Path.Combine(project.Folder, "Greeter.csproj")} (2 source file(s) and its build {Path.Combine(project.DefaultOutput, "Greeter.dll")}): 0 error(s), 0 warning(s).", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void The_calendar_sample_validates_clean_by_folder_and_by_csproj()
    {
        var folder = Path.Combine(Repository.Root, "plugins", "calendar");

        var byFolder = Validate(new ValidateRequest([folder], Strict: true));
        var byProject = Validate(new ValidateRequest([Path.Combine(folder, "Calendar.csproj")]));

        Assert.True(byFolder.ExitCode == 0, byFolder.Output + byFolder.Errors);
        Assert.Equal(string.Empty, byFolder.Output);
        Assert.Contains("Checked plugin project", byFolder.Errors, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), (byProject.ExitCode, byProject.Output));
    }

    [Fact]
    public void Rule_violations_in_a_plugin_are_reported_at_file_line_column_and_the_single_file_rules_do_not_fire()
    {
        using var work = new TempFolder();
        var project = new PluginProject("unruly", Path.Combine(work.Path, "unruly"));
        var role = Path.Combine(project.Folder, "UnrulyRole.cs");
        var handlers = Path.Combine(project.Folder, "Handlers.cs");

        var (exitCode, output, errors) = Validate(new ValidateRequest([project.Folder]));

        Assert.Equal(1, exitCode);
        var lines = Lines(output);
        Assert.Equal(
            [
                $"{handlers}(10,48): error AP0302",
                $"{role}(10,40): error AP0208",
                $"{role}(26,9): error AP0207",
                $"{role}(31,58): error AP0206",
            ],
            lines.Select(l => l[..l.IndexOf(':', l.IndexOf(')', StringComparison.Ordinal) + 2)]).Order(StringComparer.Ordinal));

        // Two roles in one file (AP0001) is fine in a project; an intent declared, handled and registered
        // in three different files (AP0007) and tools registered from another file (AP0405) are too.
        Assert.DoesNotContain(lines, l => l.Contains("AP0001", StringComparison.Ordinal) || l.Contains("AP0007", StringComparison.Ordinal) || l.Contains("AP0405", StringComparison.Ordinal) || l.Contains("AP0501", StringComparison.Ordinal));
        Assert.Contains("no build under", errors, StringComparison.Ordinal);
        Assert.Contains("4 error(s)", errors, StringComparison.Ordinal);

        // JSON says the same.
        var json = Validate(new ValidateRequest([Path.Combine(project.Folder, "Unruly.csproj")], ReportFormat.Json));
        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(
            lines,
            document.RootElement.EnumerateArray().Select(d => $"{d.GetProperty("file").GetString()}({d.GetProperty("line").GetInt32()},{d.GetProperty("column").GetInt32()}): {d.GetProperty("severity").GetString()} {d.GetProperty("code").GetString()}: {d.GetProperty("message").GetString()}"));
    }

    [Fact]
    public async Task The_load_checks_run_on_the_build_and_name_the_plugin_and_the_type()
    {
        using var work = new TempFolder();
        var unruly = new PluginProject("unruly", Path.Combine(work.Path, "unruly"));
        await BuildAsync(unruly, unruly.DefaultOutput);

        var pinned = Validate(new ValidateRequest([unruly.Folder]));

        Assert.Equal(1, pinned.ExitCode);
        Assert.Contains($"{unruly.DefaultOutput}#Unruly.UnrulyRole(1,1): error {LoadCodes.PinningToolSignature}: Tool signatures use types defined in the role (Feel(mood: Mood))", pinned.Output, StringComparison.Ordinal);

        // Two roles of one plugin with one name: the sources cannot say (names are checked across a
        // plugin's roles when they load), the build can.
        var greeter = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        greeter.Edit("RxRole.cs", s => s.Replace("new(\"rx\"", "new(\"greeter\"", StringComparison.Ordinal));
        await BuildAsync(greeter, greeter.DefaultOutput);

        var twins = Validate(new ValidateRequest([greeter.Folder]));

        Assert.Equal(1, twins.ExitCode);
        var line = Assert.Single(Lines(twins.Output));
        Assert.StartsWith($"{greeter.DefaultOutput}#Greeter.RxRole(1,1): error {LoadCodes.DuplicateName}: Role name 'greeter' is used by both {greeter.DefaultOutput}#Greeter.GreeterRole and", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_build_older_than_its_sources_is_checked_and_said_to_be_older()
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        var build = Path.Combine(project.DefaultOutput, "Greeter.dll");
        Directory.CreateDirectory(project.DefaultOutput);
        File.WriteAllText(build, "not an assembly");
        File.WriteAllText(Path.Combine(project.DefaultOutput, "Greeter.deps.json"), """{ "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" }, "targets": { ".NETCoreApp,Version=v10.0": {} }, "libraries": {} }""");
        File.SetLastWriteTimeUtc(build, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var (exitCode, output, errors) = Validate(new ValidateRequest([project.Folder]));

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"{project.DefaultOutput}(1,1): error {LoadCodes.PluginLoad}: ", output, StringComparison.Ordinal);
        Assert.Contains($"note: {build} is older than the project's sources", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "is not a build's dependency file")]
    [InlineData("{ \"runtimeTarget\": ", "is not valid JSON")]
    public void A_build_whose_deps_json_is_broken_is_refused_not_a_crash(string deps, string message)
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        Directory.CreateDirectory(project.DefaultOutput);
        File.WriteAllText(Path.Combine(project.DefaultOutput, "Greeter.dll"), "not an assembly");
        File.WriteAllText(Path.Combine(project.DefaultOutput, "Greeter.deps.json"), deps);

        var (exitCode, output, _) = Validate(new ValidateRequest([project.Folder]));

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"{project.DefaultOutput}(1,1): error {LoadCodes.PluginLoad}: {project.DefaultOutput}: Greeter.deps.json {message}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_exits_2_with_a_clear_message()
    {
        using var work = new TempFolder();
        work.Write(Path.Combine("two", "A.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        work.Write(Path.Combine("two", "B.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Directory.CreateDirectory(Path.Combine(work.Path, "empty"));
        var broken = work.Write(Path.Combine("broken", "Broken.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup>");
        var cases = new (string Path, string Message)[]
        {
            (Path.Combine(work.Path, "two"), "holds 2 projects (A.csproj, B.csproj); name the plugin's .csproj to check."),
            (Path.Combine(work.Path, "empty"), "holds no plugin project (*.csproj) and no role files (*.cs, *.csx)."),
            (Path.Combine(work.Path, "nowhere", "X.csproj"), "does not exist."),
            (broken, $"{broken}: MSBuild could not evaluate the project"),
        };

        foreach (var (path, message) in cases)
        {
            var (exitCode, output, errors) = Validate(new ValidateRequest([path]));
            Assert.True(exitCode == ValidateCommand.UsageError, $"{path}: {exitCode} {output} {errors}");
            Assert.Equal(string.Empty, output);
            Assert.StartsWith("error: ", errors, StringComparison.Ordinal);
            Assert.Contains(message, errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_real_host_validates_a_plugin_project_clean_and_reports_a_broken_one()
    {
        using var work = new TempFolder();
        _ = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        var unruly = new PluginProject("unruly", Path.Combine(work.Path, "unruly"));

        var clean = await HostCli.RunAsync(work.Path, "validate", "greeter");
        var broken = await HostCli.RunAsync(work.Path, "validate", Path.Combine("unruly", "Unruly.csproj"));

        Assert.True(clean.ExitCode == 0, clean.Output + clean.Errors);
        Assert.Equal(string.Empty, clean.Output);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"{Path.Combine(unruly.Folder, "Handlers.cs")}(10,48): error AP0302: Event handler OnTick reads the clock with DateTime.Now", broken.Output, StringComparison.Ordinal);
        Assert.Equal(Validate(new ValidateRequest([unruly.Folder])).Output.Trim(), broken.Output.Trim());
    }

    private static (int ExitCode, string Output, string Errors) Validate(ValidateRequest request)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exitCode = ValidateCommand.Run(request, output, errors);
        return (exitCode, output.ToString(), errors.ToString());
    }

    private static List<string> Lines(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static async Task BuildAsync(PluginProject project, string output)
    {
        var (exitCode, log, _) = await project.BuildAsync(output);
        Assert.True(exitCode == 0, log);
    }
}
