using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// <c>POST /api/validate</c>: a role's source text in, the diagnostics <c>host validate --format json</c>
/// prints for that file out (same checks, same JSON). Compiled off the loop; the roles folder is not touched.
/// </summary>
internal static class ValidateEndpoint
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("/api/validate", ValidateAsync)
            .WithName("Validate")
            .WithSummary("Checks a role's source the way the host loads it; answers the diagnostics of host validate --format json.")
            .Accepts<ValidateBody>("application/json")
            .Produces<IReadOnlyList<DiagnosticAnswer>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> ValidateAsync(HttpContext context, AgentPluginsOptions options, RoleCompiler compiler)
    {
        var body = await JsonBody.ReadAsync<ValidateBody>(context.Request, options.Http.MaxBodyBytes, JsonBody.Strict, context.RequestAborted).ConfigureAwait(false);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        if (request.Source is null)
        {
            return Problems.BadField("source", "'source' is required: the role file's text.");
        }

        var name = request.Path ?? "role.cs";
        if (SourceValidation.CheckName(name) is { } problem)
        {
            return Problems.BadField("path", problem);
        }

        var json = await SourceValidation.JsonAsync(compiler, request.Source, name, request.Strict ?? false, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Text(json, "application/json", System.Text.Encoding.UTF8);
    }
}

/// <summary>The body of <c>POST /api/validate</c>.</summary>
/// <param name="Source">The role file's text.</param>
/// <param name="Path">The file name diagnostics are reported against (default <c>role.cs</c>).</param>
/// <param name="Strict">Report warnings as errors, as <c>host validate --strict</c>.</param>
internal sealed record ValidateBody(string? Source, string? Path, bool? Strict);
