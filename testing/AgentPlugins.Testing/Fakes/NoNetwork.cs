namespace AgentPlugins.Testing;

// The HTTP a role gets when the test gave none: every call fails and says how to give one.
internal sealed class NoNetwork : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new HttpRequestException($"The role called {request.Method} {request.RequestUri} but the test gave it no network: set RoleHarnessOptions.Http to a handler that answers (ScriptedHttp, say)");
}
