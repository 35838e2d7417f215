namespace AgentPlugins.Testing;

// The test's HttpMessageHandler at the bottom of the role's client: the client factory disposes the
// handlers it rotates, and the test's handler stays the test's to dispose.
internal sealed class BorrowedHandler(HttpMessageHandler handler) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _invoker.Dispose();
        }

        base.Dispose(disposing);
    }
}
