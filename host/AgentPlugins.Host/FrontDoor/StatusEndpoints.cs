using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Hosting.Cluster;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Host.Timers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace AgentPlugins.Host.FrontDoor;

/// <summary><c>GET /api/roles</c> and <c>GET /api/timers</c>: what runs and what is pending, read from thread-safe snapshots.</summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/api/roles", RolesAsync)
            .WithName("Roles")
            .WithSummary("Each role file: its generation, state, diagnostics with file:line:col, generations in memory and leaked; with cluster=true every host sharing the database, stale ones and version differences flagged.")
            .Produces<RolesAnswer>()
            .Produces<ClusterAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/api/timers", TimersAsync)
            .WithName("Timers")
            .WithSummary("A user's pending timers on the HTTP channel.")
            .Produces<IReadOnlyList<TimerAnswer>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> RolesAsync(HttpContext context, RoleLifecycle lifecycle, UnloadVerifier unloads, CancellationToken cancellationToken)
    {
        var cluster = context.Request.Query["cluster"].ToString();
        if (cluster.Length == 0 || cluster.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Ok(Roles(lifecycle, unloads));
        }

        if (!cluster.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.BadField("cluster", $"'{cluster}' is not true or false.");
        }

        if (context.RequestServices.GetService<PostgresDatabase>() is not { } database)
        {
            return Problems.BadField("cluster", "This host keeps its state in its own data folder (storage:provider sqlite): it is a cluster of one. The cluster view needs storage:provider postgres (docs/scale-out.md).");
        }

        var hosts = await ClusterStatus.ReadAsync(database, cancellationToken).ConfigureAwait(false);
        var self = context.RequestServices.GetRequiredService<HostIdentity>().Id;
        return TypedResults.Ok(new ClusterAnswer(self, hosts, hosts.Any(h => h.Differences.Count > 0), hosts.Count(h => h.Stale)));
    }

    /// <summary>What <c>GET /api/roles</c> answers (and MCP's <c>role_status</c>).</summary>
    internal static RolesAnswer Roles(RoleLifecycle lifecycle, UnloadVerifier unloads)
    {
        var roles = lifecycle.Status.Select(s => new RoleAnswer(
            s.Path,
            s.Name,
            s.State.ToString().ToLowerInvariant(),
            s.Generation,
            s.LoadedAt,
            [.. s.LastErrors.Select(DiagnosticAnswer.Of)],
            (s.State is RoleState.Active or RoleState.Quarantined || (s.State == RoleState.Failed && s.Generation > 0) ? 1 : 0) + unloads.AliveFor(s.Path),
            unloads.LeakedFor(s.Path),
            s.Plugin));
        var recent = unloads.Recent.Select(v => new VerdictAnswer(v.Path, v.Role, v.Generation, v.Outcome.ToString().ToLowerInvariant(), v.Elapsed.TotalMilliseconds, v.LikelyCause));
        return new RolesAnswer([.. roles.OrderBy(r => r.Path, StringComparer.Ordinal)], unloads.Unloaded, unloads.Leaked, [.. recent]);
    }

    private static async Task<IResult> TimersAsync(string? user, DurableTimerService timers, CancellationToken cancellationToken)
    {
        if (UserName.Check(user) is { } problem)
        {
            return problem;
        }

        var pending = await timers.ListAsync(user, RequestEndpoints.Channel, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(pending.Select(t => new TimerAnswer(t.Id, t.Label, t.DueAt, t.User, t.Channel, t.FollowUp)).ToList());
    }
}

/// <summary>The answer of <c>GET /api/roles?cluster=true</c>: every host sharing the database.</summary>
/// <param name="Host">The id of the host that answered.</param>
/// <param name="Hosts">Each host with its roles, heartbeat and differences.</param>
/// <param name="Differs">True when a live host serves a role in a version the others do not.</param>
/// <param name="StaleHosts">Hosts whose heartbeat is old (stopped without a goodbye, or cut off).</param>
internal sealed record ClusterAnswer(string Host, IReadOnlyList<ClusterHost> Hosts, bool Differs, int StaleHosts);

/// <summary>The answer of <c>GET /api/roles</c>.</summary>
internal sealed record RolesAnswer(IReadOnlyList<RoleAnswer> Roles, long Unloaded, long Leaked, IReadOnlyList<VerdictAnswer> RecentUnloads);

/// <summary>One role (a role file, or a role of a compiled plugin: then <c>Plugin</c> names it and <c>Path</c> is <c>PLUGIN#Type</c>).</summary>
internal sealed record RoleAnswer(
    string Path,
    string? Name,
    string State,
    int Generation,
    DateTimeOffset? LoadedAt,
    IReadOnlyList<DiagnosticAnswer> Diagnostics,
    int GenerationsInMemory,
    int Leaked,
    string? Plugin = null);

/// <summary>A retired generation's end: unloaded, or leaked with the likely cause.</summary>
internal sealed record VerdictAnswer(string Path, string Role, int Generation, string Outcome, double ElapsedMs, string? LikelyCause);

/// <summary>A diagnostic as <c>host validate --format json</c> prints it, plus the compiler's one-line form.</summary>
internal sealed record DiagnosticAnswer(string File, int Line, int Column, int EndLine, int EndColumn, string Severity, string Code, string Message, string? HelpUri, string Text)
{
    public static DiagnosticAnswer Of(RoleDiagnostic d) =>
        new(d.Path, d.Line, d.Column, d.EndLine, d.EndColumn, d.Severity == DiagnosticSeverity.Error ? "error" : "warning", d.Code, d.Message, d.HelpUri, d.ToString());
}

/// <summary>A pending timer.</summary>
internal sealed record TimerAnswer(string Id, string Label, DateTimeOffset DueAt, string? User, string Channel, string? FollowUp);
