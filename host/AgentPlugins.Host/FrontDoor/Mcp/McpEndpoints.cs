using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.FrontDoor.Mcp.Dev;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace AgentPlugins.Host.FrontDoor.Mcp;

/// <summary>
/// The Model Context Protocol on the front door's listener, behind its token rules (Streamable HTTP,
/// official SDK): <c>/mcp</c> serves the roles' tools, <c>/mcp/dev</c> (when <c>http:mcp:dev</c>) the
/// development tools. Each session gets its endpoint's one shared tool collection when it starts.
/// </summary>
internal static class McpEndpoints
{
    public const string RolesPath = "/mcp";
    public const string DevPath = "/mcp/dev";

    public static IServiceCollection AddMcpEndpoints(this IServiceCollection services, AgentPluginsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mcp = options.Http.Mcp;
        if (!mcp.Enabled && !mcp.Dev)
        {
            return services;
        }

        services.AddSingleton<RoleToolCalls>();
        services.AddSingleton<RoleToolCatalog>();
        services.AddSingleton<DevTools>();
        services.AddMcpServer(server =>
            {
                server.ServerInfo = new Implementation { Name = "agentplugins", Version = typeof(McpEndpoints).Assembly.GetName().Version?.ToString() ?? "1.0.0" };
                server.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
            })
            .WithHttpTransport(http =>
            {
                // Sessions, so a connected client hears tools/list_changed when a save changes a role's tools.
                http.SessionMode = HttpServerSessionMode.Stateful;
                http.ConfigureSessionOptions = (context, server, _) =>
                {
                    var dev = context.Request.Path.StartsWithSegments(DevPath, StringComparison.OrdinalIgnoreCase);
                    if (dev)
                    {
                        server.ToolCollection = context.RequestServices.GetRequiredService<DevToolCollection>().Tools;
                    }
                    else
                    {
                        // A new session sees the roles serving now, even while a rebuild after a change is still pending.
                        var catalog = context.RequestServices.GetRequiredService<RoleToolCatalog>();
                        catalog.Refresh();
                        server.ToolCollection = catalog.Tools;
                    }

                    server.ServerInstructions = dev
                        ? "Development tools of an AgentPlugins host: validate_role before saving a role file, role_status after saving it, call_tool to try its tools, recent_errors when one fails, rule_docs to read a rule."
                        : "The tools of the roles this AgentPlugins host runs, named role-tool. The list changes as role files are saved.";
                    return Task.CompletedTask;
                };
            });
        services.AddSingleton(sp => new DevToolCollection(sp.GetRequiredService<DevTools>().Collection()));
        return services;
    }

    public static WebApplication MapMcpEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mcp = app.Services.GetRequiredService<AgentPluginsOptions>().Http.Mcp;
        if (mcp.Enabled)
        {
            // Created now, so it follows every generation from the first load on.
            app.Services.GetRequiredService<RoleToolCatalog>();
            app.MapMcp(RolesPath);
        }

        if (mcp.Dev)
        {
            app.MapMcp(DevPath);
        }

        return app;
    }
}
