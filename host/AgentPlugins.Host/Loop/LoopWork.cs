namespace AgentPlugins.Host.Loop;

/// <summary>One unit of work the loop runs: an event to dispatch, a request, a continuation.</summary>
internal abstract class LoopWork
{
    /// <summary>Runs on the loop thread. Must not throw; the loop logs and goes on if it does.</summary>
    public abstract void Run();
}

/// <summary>A callback posted to the loop (an async continuation, or host work).</summary>
internal sealed class CallbackWork(SendOrPostCallback callback, object? state) : LoopWork
{
    public override void Run() => callback(state);
}
