namespace AgentPlugins.Host.Loop;

/// <summary>
/// The synchronization context role code runs under: its <c>await</c> continuations come back to the
/// loop tagged with the call they belong to. The loop drops them once that generation is quarantined
/// (a yielding loop ends there), and otherwise times and journals them like any role call.
/// </summary>
internal sealed class RoleCallContext(EventLoop loop, RoleCall call) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => loop.Continue(new Continuation(loop, call, d, state));

    public override void Send(SendOrPostCallback d, object? state) => loop.SynchronizationContext.Send(d, state);

    public override SynchronizationContext CreateCopy() => this;

    private sealed class Continuation(EventLoop loop, RoleCall call, SendOrPostCallback callback, object? state) : LoopWork
    {
        public override void Run()
        {
            if (call.Guard.IsQuarantined)
            {
                loop.CountDropped();
                return;
            }

            var watchdog = loop.Watchdog;
            watchdog.Enter(call);
            try
            {
                callback(state);
            }
            finally
            {
                watchdog.Exit();
            }
        }
    }
}
