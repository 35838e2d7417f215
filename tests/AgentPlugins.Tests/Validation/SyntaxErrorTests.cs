using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Reload;
using AgentPlugins.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentPlugins.Tests.Validation;

/// <summary>
/// A file that does not parse (a half-written save) shows the compiler's syntax errors alone, first:
/// no rule finding and no follow-on compiler error buries the real mistake.
/// </summary>
public sealed class SyntaxErrorTests
{
    private const string Notes = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record NoteIntent(string Text) : Intent
        {
            public override bool Validate() => !string.IsNullOrWhiteSpace(Text);
        }

        public sealed class NotesRole : IRole
        {
            public RoleConfig Config { get; } = new(
                Name: "notes",
                Version: "1.0.0",
                Description: "Keeps notes",
                WhenToUse: "Write down a note");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                role.Handle<NoteIntent>(ProcessNoteIntent);
            }

            [KernelFunction("add"), Description("Add a note")]
            public ToolResult Add([Description("The note")] string text)
            {
                if (text.Length > 200)
                {
                    return ToolResult.Fail("Too long.");
                }

                return ToolResult.Ok("Noted.", new NoteIntent(text));
            }

            private static Task ProcessNoteIntent(NoteIntent intent, IntentContext context) =>
                context.NotifyAsync($"Note: {intent.Text}");
        }
        """;

    [Fact]
    public void The_whole_file_validates_clean() => Assert.Empty(Validate.Source(Notes));

    [Fact]
    public void A_save_cut_off_mid_method_shows_only_the_syntax_errors_first_and_no_rule_error()
    {
        // The editor saved while the author was still typing Add: the rest of the file is not written yet.
        var source = Notes[..Notes.IndexOf("return ToolResult.Ok(\"Noted.\"", StringComparison.Ordinal)];

        var found = Validate.Source(source);

        Assert.NotEmpty(found);
        Assert.Equal("CS1513", found[0].Code);
        Assert.All(found, d => Assert.Equal("CS1513", d.Code));
        Assert.DoesNotContain(found, d => d.Code.StartsWith("AP", StringComparison.Ordinal));
        Assert.DoesNotContain(found, d => d.Code is "CS0103" or "CS0161");
    }

    [Fact]
    public void A_condition_left_open_mid_file_shows_its_syntax_error_and_not_the_follow_on_compiler_errors()
    {
        var source = Notes.Replace("if (text.Length > 200)\n", "if (text.Length > 200\n", StringComparison.Ordinal);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("CS1026", RoleText.LineOf(source, "if (text.Length > 200")), (found.Code, found.Line));
    }

    [Fact]
    public void A_config_cut_off_mid_string_shows_no_ap0003()
    {
        var source = Notes.Replace("Version: \"1.0.0\",", "Version: \"1.0", StringComparison.Ordinal);

        var found = Validate.Source(source);

        Assert.Equal("CS1010", found[0].Code);
        Assert.Equal(ParserErrors(source), found.Select(d => d.Code));
    }

    [Fact]
    public void A_file_that_does_not_parse_is_not_emitted()
    {
        var source = Notes[..^10];

        var compiled = new RoleCompiler(ReferenceSet.Default).Compile(RoleFile.FromText("notes.cs", source));

        Assert.False(compiled.Succeeded);
        Assert.Equal(ParserErrors(source), compiled.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void A_file_that_does_not_parse_gets_no_folder_rule_findings_and_its_events_still_count_for_neighbours()
    {
        using var folder = new Support.TempFolder();
        var broken = folder.Write("publisher.cs", RoleText.With(
            name: "same",
            members: "private static BusEvent Make() => new(\"ORDER_PLACED\");\n    private static void Cut() {"));
        var listener = folder.Write("listener.cs", RoleText.With(name: "same", register: "role.On(\"ORDER_PLACED\", (e, c) => []);"));

        var result = Validate.Files([broken, listener]);

        Assert.Equal(ParserErrors(File.ReadAllText(broken)), result.Files.Single(f => f.Path == broken).Diagnostics.Select(d => d.Code));
        Assert.Equal(["AP0006"], result.Files.Single(f => f.Path == listener).Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public async Task A_half_written_save_keeps_the_old_generation_and_shows_the_syntax_error()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });
        var full = SampleRoles.Echo("v2");
        var half = full[..full.IndexOf("[new NotificationIntent(", StringComparison.Ordinal)];

        host.Write("echo.cs", half);
        var failed = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Failed && s.ContentHash == RoleFile.HashOf(half));

        Assert.NotEmpty(failed.LastErrors);
        Assert.Equal(ParserErrors(half), failed.LastErrors.Select(d => d.Code));
        Assert.Equal(Validate.Files([host.PathOf("echo.cs")]).Diagnostics.Select(d => d.ToString()), failed.LastErrors.Select(d => d.ToString()));
        Assert.Equal("v1", await host.PingAsync());
    }

    // What the C# parser alone says about the text, in line order: the oracle for "syntax errors only".
    private static IEnumerable<string> ParserErrors(string source) =>
        CSharpSyntaxTree.ParseText(source).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.GetLineSpan().StartLinePosition)
            .Select(d => d.Id);
}
