namespace AgentPlugins.Host.Loop;

/// <summary>
/// Brings every <c>await</c> continuation in role code back to the loop, so role code never runs
/// beside it.
/// </summary>
internal sealed class LoopSynchronizationContext(EventLoop loop) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => loop.Continue(new CallbackWork(d, state));

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (loop.IsOnLoop)
        {
            d(state);
            return;
        }

        using var done = new ManualResetEventSlim();
        Exception? failure = null;
        loop.Continue(new CallbackWork(
            _ =>
            {
                try
                {
                    d(state);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                finally
                {
                    done.Set();
                }
            },
            null));
        done.Wait();
        if (failure is not null)
        {
            throw new InvalidOperationException("Work sent to the loop failed.", failure);
        }
    }

    public override SynchronizationContext CreateCopy() => this;
}
