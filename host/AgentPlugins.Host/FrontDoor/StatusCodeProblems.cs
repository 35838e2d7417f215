using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>Problem+json for what routing answers by itself (unknown route, wrong method, wrong media type), naming what was wrong.</summary>
internal static class StatusCodeProblems
{
    public static Task WriteAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var code = context.Response.StatusCode;
        var (field, detail) = code switch
        {
            StatusCodes.Status404NotFound => ("path", $"No endpoint at {context.Request.Path}; GET /openapi/v1.json lists them."),
            StatusCodes.Status405MethodNotAllowed => ("method", $"{context.Request.Method} is not allowed on {context.Request.Path}."),
            StatusCodes.Status415UnsupportedMediaType => ("Content-Type", $"The body must be JSON (Content-Type: application/json), not '{context.Request.ContentType ?? "none"}'."),
            _ => ("request", $"The request was answered with status {code}."),
        };
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = code,
                Detail = detail,
                Extensions = { ["field"] = field },
            },
        }).AsTask();
    }
}
