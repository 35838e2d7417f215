using AgentPlugins.Host.Commands;
using AgentPlugins.Host.Compilation;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Tests.Validation;

/// <summary>Each bad fixture breaks one rule: validate reports that rule's code, severity, line and column, and exits accordingly.</summary>
public sealed class BadFixtureTests : IClassFixture<BadFixtureTests.BadFolderResult>
{
    /// <summary>File, code, severity, line, column; and a compiler error that comes with it, if any.</summary>
    public static TheoryData<string, string, string, int, int, string?> Expected { get; } = new()
    {
        { "ap0001_no_role.cs", "AP0001", "error", 4, 21, null },
        { "ap0002_register_empty.cs", "AP0002", "error", 14, 17, null },
        { "ap0003_bad_name.cs", "AP0003", "error", 9, 9, null },
        { "ap0004_bad_version.cs", "AP0004", "error", 10, 9, null },
        { "ap0005_no_when_to_use.cs", "AP0005", "error", 12, 9, null },
        { "ap0006_duplicate_name_a.cs", "AP0006", "error", 9, 9, null },
        { "ap0006_duplicate_name_b.cs", "AP0006", "error", 9, 9, null },
        { "ap0007_intent_without_handler.cs", "AP0007", "error", 6, 22, null },
        { "ap0008_validate_constant.cs", "AP0008", "error", 8, 40, null },
        { "ap0009_stub.cs", "AP0009", "error", 28, 88, null },
        { "ap0010_handles_sdk_intent.cs", "AP0010", "error", 17, 14, null },
        { "ap0101_task_run.cs", "AP0101", "error", 22, 28, null },
        { "ap0102_timer.cs", "AP0102", "error", 22, 21, null },
        { "ap0103_blocking_result.cs", "AP0103", "error", 22, 22, null },
        { "ap0104_lock.cs", "AP0104", "error", 24, 9, null },
        { "ap0105_async_void.cs", "AP0105", "error", 22, 31, null },
        { "ap0201_mutable_static.cs", "AP0201", "error", 19, 24, null },
        { "ap0201_static_readonly_array.cs", "AP0201", "error", 19, 38, null },
        { "ap0202_static_event.cs", "AP0202", "error", 26, 33, null },
        { "ap0203_dynamic.cs", "AP0203", "error", 22, 9, null },
        { "ap0204_type_descriptor.cs", "AP0204", "error", 21, 23, null },
        { "ap0205_newtonsoft.cs", "AP0205", "error", 5, 7, "CS0246" },
        { "ap0206_role_type_in_tool.cs", "AP0206", "error", 26, 60, null },
        { "ap0207_role_collection_field.cs", "AP0207", "error", 8, 35, null },
        { "ap0207_role_field_assigned.cs", "AP0207", "error", 24, 9, null },
        { "ap0208_new_http_client.cs", "AP0208", "error", 22, 28, null },
        { "ap0208_static_http_client.cs", "AP0208", "error", 8, 40, null },
        { "ap0301_io_in_handler.cs", "AP0301", "error", 22, 20, null },
        { "ap0302_clock_in_handler.cs", "AP0302", "error", 21, 13, null },
        { "ap0303_random_in_handler.cs", "AP0303", "error", 21, 25, null },
        { "ap0401_tool_without_description.cs", "AP0401", "error", 20, 23, null },
        { "ap0402_parameter_without_description.cs", "AP0402", "error", 20, 35, null },
        { "ap0403_duplicate_tool_name.cs", "AP0403", "error", 22, 21, null },
        { "ap0404_tool_returns_string.cs", "AP0404", "error", 20, 12, null },
        { "ap0405_tools_not_registered.cs", "AP0405", "warning", 6, 21, null },
        { "ap0406_tool_writes_store.cs", "AP0406", "error", 22, 15, null },
        { "ap0501_too_long.cs", "AP0501", "warning", 301, 1, null },
        { "ap0601_unpublished_event.cs", "AP0601", "warning", 16, 17, null },
    };

    private readonly BadFolderResult _folder;

    public BadFixtureTests(BadFolderResult folder)
    {
        _folder = folder;
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Reports_the_rule_it_breaks_at_the_exact_place(string file, string code, string severity, int line, int column, string? companion)
    {
        var diagnostics = _folder.For(file);

        var found = Assert.Single(diagnostics, d => d.Code.StartsWith("AP", StringComparison.Ordinal));
        Assert.Equal(code, found.Code);
        Assert.Equal(severity, found.Severity == DiagnosticSeverity.Error ? "error" : "warning");
        Assert.Equal((line, column), (found.Line, found.Column));
        Assert.Equal(Validate.BadFixture(file), found.Path);
        Assert.Equal($"docs/rules.md#{code.ToLowerInvariant()}", found.HelpUri);
        Assert.False(string.IsNullOrWhiteSpace(found.Message));
        Assert.Equal(companion is null ? [] : [companion], diagnostics.Where(d => d != found).Select(d => d.Code));
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Exits_1_on_an_error_and_0_on_a_warning_unless_strict(string file, string code, string severity, int line, int column, string? companion)
    {
        _ = (code, line, column, companion);
        var request = new ValidateRequest([Validate.BadFixture(file)]);

        Assert.Equal(severity == "error" ? 1 : 0, ValidateCommand.Run(request, TextWriter.Null, TextWriter.Null));
        Assert.Equal(1, ValidateCommand.Run(request with { Strict = true }, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Every_bad_fixture_has_an_expectation_and_every_rule_a_bad_fixture()
    {
        var fixtures = Directory.GetFiles(Validate.BadFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        var expected = Expected.Select(row => (string)row[0]).Order(StringComparer.Ordinal);
        Assert.Equal(fixtures, expected);

        var codes = Host.Validation.RoleRules.Descriptors.Select(d => d.Id);
        Assert.Equal(codes, Expected.Select(row => (string)row[1]).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>The bad folder validated once for the whole class: folder rules see every fixture, as the CLI would.</summary>
    public sealed class BadFolderResult
    {
        private readonly Dictionary<string, IReadOnlyList<RoleDiagnostic>> _byFile;

        public BadFolderResult()
        {
            _byFile = Validate.Folder(Validate.BadFolder).Files.ToDictionary(f => Path.GetFileName(f.Path), f => f.Diagnostics);
        }

        internal IReadOnlyList<RoleDiagnostic> For(string file) => _byFile[file];
    }
}
