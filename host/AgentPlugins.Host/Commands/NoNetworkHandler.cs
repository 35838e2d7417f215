namespace AgentPlugins.Host.Commands;

// What a role's HTTP calls reach under `host call --no-network` / `host repl --no-network`: nothing is sent.
internal sealed class NoNetworkHandler(string command) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        throw new HttpRequestException($"{request.Method} {request.RequestUri} was not sent: {command} --no-network gives the role no network");
    }
}
