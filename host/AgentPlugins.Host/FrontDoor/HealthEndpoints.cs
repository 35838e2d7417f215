using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentPlugins.Host.FrontDoor;

/// <summary><c>/healthz</c> (the loop answers a probe in time) and <c>/readyz</c> (roles loaded, stores open); no token needed.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (LoopProbe probe, CancellationToken cancellationToken) =>
                await probe.CheckAsync(cancellationToken).ConfigureAwait(false) is { } problem
                    ? Problems.Unavailable(problem)
                    : TypedResults.Ok(new HealthAnswer("healthy")))
            .WithName("Health")
            .WithSummary("200 while the loop runs a probe within http:healthTimeout; 503 when it is stuck or stopped.")
            .Produces<HealthAnswer>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/readyz", (Readiness readiness) =>
                readiness.Problem is { } problem ? Problems.Unavailable(problem) : TypedResults.Ok(new HealthAnswer("ready")))
            .WithName("Ready")
            .WithSummary("200 once the roles are loaded and the stores are open.")
            .Produces<HealthAnswer>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }
}

internal sealed record HealthAnswer(string Status);
