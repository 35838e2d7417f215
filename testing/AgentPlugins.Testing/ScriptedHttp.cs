using System.Net;
using System.Text;

namespace AgentPlugins.Testing;

/// <summary>
/// A web API a test scripts, for <see cref="RoleHarnessOptions.Http"/>: answers by method and path (the
/// query is ignored), records every request the role sent, and answers 404 to what it was not told about.
/// <see cref="Hang"/> never answers, so the role's client times out as it would on a dead server.
/// </summary>
public sealed class ScriptedHttp : HttpMessageHandler
{
    private readonly List<(HttpMethod Method, string Path, Func<RecordedRequest, HttpResponseMessage>? Answer)> _routes = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();

    /// <summary>What the role sent, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> (<c>/api/states</c>) with what <paramref name="answer"/> makes of the request.</summary>
    public ScriptedHttp Answer(HttpMethod method, string path, Func<RecordedRequest, HttpResponseMessage> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Route(method, path, answer);
    }

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> with <paramref name="status"/> and, if given, a JSON body.</summary>
    public ScriptedHttp Answer(HttpMethod method, string path, HttpStatusCode status, string? json = null) =>
        Route(method, path, _ => Response(status, json));

    /// <summary>Never answers <paramref name="method"/> <paramref name="path"/>: the caller waits until its own timeout.</summary>
    public ScriptedHttp Hang(HttpMethod method, string path) => Route(method, path, null);

    /// <summary>A response with <paramref name="status"/> and, if given, a JSON body.</summary>
    public static HttpResponseMessage Response(HttpStatusCode status, string? json = null) => new(status)
    {
        Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no address.");
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var recorded = new RecordedRequest(request.Method, uri, request.Headers.Authorization?.ToString(), body);
        (HttpMethod Method, string Path, Func<RecordedRequest, HttpResponseMessage>? Answer)? route;
        lock (_gate)
        {
            _requests.Add(recorded);
            var index = _routes.FindLastIndex(r => r.Method == request.Method && string.Equals(r.Path, uri.AbsolutePath, StringComparison.Ordinal));
            route = index < 0 ? null : _routes[index];
        }

        if (route is not { } found)
        {
            return Response(HttpStatusCode.NotFound, $$"""{"message": "ScriptedHttp has no answer for {{request.Method}} {{uri.AbsolutePath}}"}""");
        }

        if (found.Answer is null)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        var response = found.Answer!(recorded);
        response.RequestMessage = request;
        return response;
    }

    private ScriptedHttp Route(HttpMethod method, string path, Func<RecordedRequest, HttpResponseMessage>? answer)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        lock (_gate)
        {
            _routes.Add((method, path.StartsWith('/') ? path : "/" + path, answer));
        }

        return this;
    }
}
