using System.Text.RegularExpressions;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Tests.Support;
using AgentPlugins.Tests.Validation;

namespace AgentPlugins.Tests.Roles;

/// <summary>A role compiles with a .NET console project's implicit usings, as .cs and as .csx, and docs/roles.md lists them.</summary>
public sealed partial class ImplicitUsingsTests
{
    // No using for System.IO, System.Net.Http, System.Threading, System.Linq or System.Collections.Generic.
    private static string Source(string name) => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class UsingsRole : IRole
        {
            public RoleConfig Config { get; } = new("{{name}}", "1.0.0", "Uses the implicit usings", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("show"), Description("Shows types from the implicit namespaces")]
            public async Task<ToolResult> Show(CancellationToken cancellation)
            {
                await Task.Yield();
                var names = new List<string> { Path.GetFileName("/a/b.txt"), HttpMethod.Head.Method, cancellation.IsCancellationRequested ? "cancelled" : "running" };
                return ToolResult.Ok(string.Join(",", names.Select(n => n.ToUpperInvariant())));
            }
        }
        """;

    [Theory]
    [InlineData("usings.cs", "usings")]
    [InlineData("usings.csx", "usings_script")]
    public async Task A_role_uses_System_IO_and_System_Net_Http_without_writing_their_usings(string file, string name)
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { [file] = Source(name) }).StartAsync();
        Assert.Empty(test.StartupFailures);

        var reply = await test.AskAsync($"/{name} show");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("B.TXT,HEAD,RUNNING", reply.Text);
    }

    [Fact]
    public void A_role_that_writes_an_implicit_using_itself_validates_clean()
    {
        var source = """
            using System.ComponentModel;
            using System.IO;
            using System.Net.Http;
            using AgentPlugins.Sdk;
            using Microsoft.SemanticKernel;

            public sealed class ExplicitRole : IRole
            {
                public RoleConfig Config { get; } = new("explicit", "1.0.0", "Writes its usings", WhenToUse: "tests");

                public void Register(RoleBuilder role) => role.Tools(this);

                [KernelFunction("name"), Description("Names a file")]
                public ToolResult Name([Description("A path, e.g. /tmp/a.txt")] string path) => ToolResult.Ok(Path.GetFileName(path) + HttpMethod.Get);
            }
            """;

        Assert.Empty(Validate.Source(source, "explicit.cs").Select(d => d.ToString()));
    }

    [Fact]
    public void Docs_roles_md_lists_exactly_the_implicit_usings()
    {
        var docs = File.ReadAllText(Path.Combine(Repository.Root, "docs", "roles.md"));
        var line = ImplicitLine().Match(docs);

        Assert.True(line.Success, "docs/roles.md has no 'Implicit usings:' line");
        Assert.Equal(RoleCompiler.ImplicitNamespaces, Namespace().Matches(line.Value).Select(m => m.Groups[1].Value));
    }

    [GeneratedRegex(@"^Implicit usings: .*$", RegexOptions.Multiline)]
    private static partial Regex ImplicitLine();

    [GeneratedRegex(@"`(System[\w.]*)`")]
    private static partial Regex Namespace();
}
