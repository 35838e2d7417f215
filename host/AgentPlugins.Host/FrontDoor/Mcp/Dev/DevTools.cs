using System.ComponentModel;
using System.Text.Json;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AgentPlugins.Host.FrontDoor.Mcp.Dev;

/// <summary>
/// The tools <c>/mcp/dev</c> offers a coding agent writing roles. They read and report; writing role
/// files stays with the agent's own tools. Each one reuses the host's own path: the validator of
/// <c>host validate</c>, the status of <c>GET /api/roles</c>, the tool path of direct commands,
/// the audit log's error records, the rules' documentation built into the host.
/// </summary>
internal sealed class DevTools(RoleCompiler compiler, RoleLifecycle roles, UnloadVerifier unloads, AuditLog audit, RoleToolCalls calls)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The development tools as one collection.</summary>
    public McpServerPrimitiveCollection<McpServerTool> Collection()
    {
        var tools = new McpServerPrimitiveCollection<McpServerTool>();
        tools.Add(Create((Func<string, string, bool, CancellationToken, Task<string>>)ValidateRoleAsync, "validate_role"));
        tools.Add(Create((Func<string>)RoleStatus, "role_status"));
        tools.Add(new CallToolTool(calls));
        tools.Add(Create((Func<int, string>)RecentErrors, "recent_errors"));
        tools.Add(Create((Func<string, string>)RuleDocs, "rule_docs"));
        return tools;
    }

    [Description("Checks a role file's source the way the host loads it and answers the diagnostics of `host validate --format json` (file, line, column, severity, code, message). Nothing is written to the roles folder.")]
    public async Task<string> ValidateRoleAsync(
        [Description("The role file's full text")] string source,
        [Description("The file name diagnostics name, e.g. weather.cs (default role.cs)")] string path = "role.cs",
        [Description("Report warnings as errors, as host validate --strict")] bool strict = false,
        CancellationToken cancellationToken = default)
    {
        if (SourceValidation.CheckName(path) is { } problem)
        {
            throw new McpException($"path: {problem}");
        }

        return await SourceValidation.JsonAsync(compiler, source, path, strict, cancellationToken).ConfigureAwait(false);
    }

    [Description("Each role file the running host knows: its state (active, failed, quarantined, retired), serving generation, when it loaded, its last diagnostics with file:line:col, generations in memory and leaked; and the latest unloads.")]
    public string RoleStatus() => JsonSerializer.Serialize(StatusEndpoints.Roles(roles, unloads), Json);

    [Description("The latest failures of role code (tools, event handlers, intent handlers) the host recorded, newest first, each with the role file and line where it was thrown when the trace names one.")]
    public string RecentErrors([Description("How many, 1 to 100 (default 20)")] int count = 20)
    {
        if (count is < 1 or > 100)
        {
            throw new McpException("count: must be between 1 and 100.");
        }

        // The audit log reads newest last.
        var errors = audit.ReadLatest(RecentError.Scanned).Where(r => r.Action == "error").Reverse().Take(count).Select(RecentError.Of).ToList();
        return JsonSerializer.Serialize(errors, Json);
    }

    [Description("The documentation of one role rule (e.g. AP0101) from docs/rules.md: what it checks, why, and how to fix a file that breaks it.")]
    public static string RuleDocs([Description("The rule's code, e.g. AP0101, as validate_role reports it")] string rule) =>
        RuleSections.Find(rule) ?? throw new McpException($"rule: no rule '{rule}'. Rules: {string.Join(", ", RuleSections.Codes)}.");

    private static McpServerTool Create(Delegate method, string name) =>
        McpServerTool.Create(method, new McpServerToolCreateOptions { Name = name });
}
