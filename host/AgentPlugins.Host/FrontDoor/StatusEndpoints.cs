using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Timers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.FrontDoor;

/// <summary><c>GET /api/roles</c> and <c>GET /api/timers</c>: what runs and what is pending, read from thread-safe snapshots.</summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/api/roles", Roles)
            .WithName("Roles")
            .WithSummary("Each role file: its generation, state, diagnostics with file:line:col, generations in memory and leaked.")
            .Produces<RolesAnswer>();
        api.MapGet("/api/timers", TimersAsync)
            .WithName("Timers")
            .WithSummary("A user's pending timers on the HTTP channel.")
            .Produces<IReadOnlyList<TimerAnswer>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
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
