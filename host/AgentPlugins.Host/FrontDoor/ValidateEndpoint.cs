using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Validation;
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
        if (name.Length > 200 || Path.GetFileName(name) != name || name.StartsWith('.') || !(name.EndsWith(".cs", StringComparison.Ordinal) || name.EndsWith(".csx", StringComparison.Ordinal)))
        {
            return Problems.BadField("path", $"'{name}' must be a role file name such as \"weather.cs\" or \"weather.csx\", without folders.");
        }

        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-validate", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, name);
            await File.WriteAllTextAsync(file, request.Source, context.RequestAborted).ConfigureAwait(false);
            var result = await Task.Run(() => new RoleValidator(compiler).Validate([file], request.Strict ?? false, context.RequestAborted), context.RequestAborted).ConfigureAwait(false);
            var renamed = new ValidationResult([.. result.Files.Select(f => new FileValidation(name, [.. f.Diagnostics.Select(d => d with { Path = d.Path == file ? name : d.Path })]))]);
            using var json = new StringWriter();
            JsonReport.Write(renamed, json);
            return TypedResults.Text(json.ToString(), "application/json", System.Text.Encoding.UTF8);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>The body of <c>POST /api/validate</c>.</summary>
/// <param name="Source">The role file's text.</param>
/// <param name="Path">The file name diagnostics are reported against (default <c>role.cs</c>).</param>
/// <param name="Strict">Report warnings as errors, as <c>host validate --strict</c>.</param>
internal sealed record ValidateBody(string? Source, string? Path, bool? Strict);
