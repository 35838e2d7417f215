using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class StackTraceTests
{
    private const string Throwing = """
        using AgentPlugins.Sdk;

        public sealed class ThrowingRole : IRole
        {
            public RoleConfig Config { get; } = new("throwing", "1.0.0", "Throws on BOOM", WhenToUse: "stack trace tests");

            public void Register(RoleBuilder role) => role.On("BOOM", OnBoom);

            private static IEnumerable<Intent> OnBoom(BusEvent e, EventContext context)
            {
                var reason = e.Get("reason") ?? "no reason";
                throw new InvalidOperationException("boom: " + reason);
            }
        }
        """;

    [Theory]
    [InlineData("throwing.cs")]
    [InlineData("throwing.csx")]
    public async Task An_exception_thrown_in_a_role_names_the_role_file_and_line(string file)
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { [file] = Throwing });
        Assert.Equal(RoleState.Active, host.StatusOf(file)!.State);
        await host.Bus.PublishAsync(new BusEvent("BOOM"), Host.Loop.EventOrigin.Host);

        // The host's error route keeps the details (the stack trace) in the audit log.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<Host.Audit.AuditRecord> errors = [];
        while ((errors = [.. host.Audit.ReadLatest(10).Where(r => r.Action == "error")]).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var error = Assert.Single(errors);
        Assert.Contains("boom: no reason", error.Details, StringComparison.Ordinal);
        Assert.Contains($"{host.PathOf(file)}:line 12", error.Details, StringComparison.Ordinal);
    }
}
