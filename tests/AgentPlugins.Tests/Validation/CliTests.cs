using System.Text.Json;
using System.Text.RegularExpressions;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary><c>host validate</c> and <c>host new role</c> through the real process: exit codes, output formats, usage errors.</summary>
public sealed partial class CliTests
{
    [Fact]
    public async Task Validate_prints_compiler_format_lines_that_match_the_in_process_result_and_exits_1()
    {
        var outcome = await HostCli.RunAsync(Repository.Root, "validate", Validate.BadFolder);

        Assert.Equal(1, outcome.ExitCode);
        Assert.All(outcome.OutputLines, line => Assert.Matches(CompilerLine(), line));
        Assert.Equal(Validate.Folder(Validate.BadFolder).Diagnostics.Select(d => d.ToString()), outcome.OutputLines);
        Assert.Matches($@"Checked {Directory.GetFiles(Validate.BadFolder).Length} role file\(s\): \d+ error\(s\), 3 warning\(s\)\.", outcome.Errors);
    }

    [Fact]
    public async Task Json_output_parses_and_says_what_the_text_output_says()
    {
        var text = await HostCli.RunAsync(Repository.Root, "validate", Validate.BadFolder);
        var json = await HostCli.RunAsync(Repository.Root, "validate", "--format", "json", Validate.BadFolder);

        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        var fromJson = document.RootElement.EnumerateArray().Select(d =>
        {
            Assert.True(d.GetProperty("endLine").GetInt32() >= d.GetProperty("line").GetInt32());
            Assert.Equal(JsonValueKind.Number, d.GetProperty("endColumn").ValueKind);
            Assert.True(d.TryGetProperty("helpUri", out _));
            return $"{d.GetProperty("file").GetString()}({d.GetProperty("line").GetInt32()},{d.GetProperty("column").GetInt32()}): " +
                   $"{d.GetProperty("severity").GetString()} {d.GetProperty("code").GetString()}: {d.GetProperty("message").GetString()}";
        });
        Assert.Equal(text.OutputLines, fromJson);
    }

    [Fact]
    public async Task Clean_roles_exit_0_with_no_output_even_when_strict()
    {
        var outcome = await HostCli.RunAsync(Repository.Root, "validate", "--strict", "roles", Validate.GoodFolder);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(string.Empty, outcome.Output);
    }

    [Fact]
    public async Task Without_paths_validate_checks_the_roles_folder_of_plugins_json()
    {
        using var folder = new TempFolder();
        folder.Write("plugins.json", """{ "roles": { "folder": "my-roles" } }""");
        var bad = folder.Write(Path.Combine("my-roles", "bad.cs"), File.ReadAllText(Validate.BadFixture("ap0201_mutable_static.cs")));

        var outcome = await HostCli.RunAsync(folder.Path, "validate");

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith($"{bad}(19,24): error AP0201:", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_turns_warnings_into_errors()
    {
        var file = Validate.BadFixture("ap0601_unpublished_event.cs");

        var lenient = await HostCli.RunAsync(Repository.Root, "validate", file);
        var strict = await HostCli.RunAsync(Repository.Root, "validate", "--strict", "--format", "json", file);

        Assert.Equal(0, lenient.ExitCode);
        Assert.Contains(": warning AP0601: ", lenient.Output, StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
        using var document = JsonDocument.Parse(strict.Output);
        Assert.Equal("error", Assert.Single(document.RootElement.EnumerateArray()).GetProperty("severity").GetString());
    }

    [Theory]
    [InlineData("does not exist", "validate", "no/such/roles")]
    [InlineData("not a role file", "validate", "README.md")]
    [InlineData("--bogus", "validate", "--bogus")]
    [InlineData("xml", "validate", "--format", "xml", "roles")]
    [InlineData("not a role name", "new", "role", "Bad-Name")]
    [InlineData("Required argument missing", "new", "role")]
    public async Task Usage_errors_exit_2_with_a_message(string message, params string[] arguments)
    {
        var outcome = await HostCli.RunAsync(Repository.Root, arguments);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(message, outcome.Errors, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(string.Empty, outcome.Output);
    }

    [Fact]
    public async Task New_role_writes_a_role_that_validates_clean_and_never_overwrites()
    {
        using var folder = new TempFolder();
        folder.Write("plugins.json", """{ "roles": { "folder": "roles" } }""");
        var path = Path.Combine(folder.Path, "roles", "weather_alerts.cs");

        var created = await HostCli.RunAsync(folder.Path, "new", "role", "weather_alerts");
        var validated = await HostCli.RunAsync(folder.Path, "validate", "--strict");
        File.AppendAllText(path, "// edited\n");
        var again = await HostCli.RunAsync(folder.Path, "new", "role", "weather_alerts");

        Assert.Equal((0, $"Created {path}"), (created.ExitCode, created.OutputLines[0]));
        Assert.Contains("class WeatherAlertsRole : IRole", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), (validated.ExitCode, validated.Output));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Errors, StringComparison.Ordinal);
        Assert.EndsWith("// edited\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^/.+\.csx?\(\d+,\d+\): (error|warning) (AP|CS)\d{4}: .+$")]
    private static partial Regex CompilerLine();
}
