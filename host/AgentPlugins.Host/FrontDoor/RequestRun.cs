using AgentPlugins.Host.Requests;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>One request received over HTTP, followed until its reply is known.</summary>
internal sealed class RequestRun(string id, string channel, string user, string text, DateTimeOffset receivedAt, string? role = null)
{
    private readonly TaskCompletionSource<Reply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public string Channel { get; } = channel;

    public string User { get; } = user;

    public string Text { get; } = text;

    /// <summary>The role the request is addressed to, if any (see <see cref="Request.Role"/>).</summary>
    public string? Role { get; } = role;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>Completes with the reply; faults when the request could not run (the loop stopped).</summary>
    public Task<Reply> Reply => _reply.Task;

    internal void Complete(Reply reply, DateTimeOffset at)
    {
        CompletedAt = at;
        _reply.TrySetResult(reply);
    }

    internal void Fail(Exception error, DateTimeOffset at)
    {
        CompletedAt = at;
        _reply.TrySetException(error);
    }
}
