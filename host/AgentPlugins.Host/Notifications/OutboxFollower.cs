using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.Notifications;

/// <summary>
/// Carries one channel's messages out of the durable outbox, in order, each once it is delivered:
/// reads after its saved cursor, hands each wanted message to <see cref="DeliverAsync"/>, and moves
/// the cursor on. A failed delivery is tried again after a growing pause (up to 30 s); nothing is
/// skipped, so a receiver that is down gets everything once it is back, across host restarts too.
/// Of several hosts sharing a database one delivers for the cursor at a time (the others wait for
/// <see cref="NotificationOutbox.LeadAsync"/>); when it stops or dies another goes on from the saved
/// cursor, repeating at most the message that was in flight.
/// </summary>
/// <param name="channel">The channel whose messages to carry; null for every channel's.</param>
internal abstract class OutboxFollower(NotificationOutbox outbox, string? channel, string cursorName, TimeProvider clock) : BackgroundService
{
    private const int Page = 100;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // A delivery under way when the host stops gets this long to finish and have its cursor saved, so a
    // clean stop does not leave the next host to repeat a message the receiver already has.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>Whether this follower delivers <paramref name="message"/>; the others are passed over.</summary>
    protected abstract bool Wants(StoredNotification message);

    /// <summary>Delivers one message; false to try it again later.</summary>
    protected abstract Task<bool> DeliverAsync(StoredNotification message, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var delivering = new CancellationTokenSource();
        using var stopping = stoppingToken.Register(() => delivering.CancelAfter(StopGrace));
        try
        {
            await using var lead = await outbox.LeadAsync(cursorName, stoppingToken).ConfigureAwait(false);
            var cursor = await outbox.ReadCursorAsync(cursorName, stoppingToken).ConfigureAwait(false);
            var backoff = FirstBackoff;
            while (!stoppingToken.IsCancellationRequested)
            {
                // Wait past what was committed before the read, not past the cursor: the newest messages may all be another channel's.
                var seen = outbox.LastId;
                var page = await outbox.ReadAsync(channel, null, cursor, Page, stoppingToken).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    await outbox.WaitForAppendAsync(Math.Max(seen, cursor), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var message in page)
                {
                    if (stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }

                    if (Wants(message) && !await DeliverAsync(message, delivering.Token).ConfigureAwait(false))
                    {
                        await Task.Delay(backoff, clock, stoppingToken).ConfigureAwait(false);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                        break;
                    }

                    backoff = FirstBackoff;
                    cursor = message.Id;
                    await outbox.SaveCursorAsync(cursorName, cursor).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || delivering.IsCancellationRequested)
        {
            // Stopping: the cursor says where to go on next time.
        }
        catch (ObjectDisposedException)
        {
            // The outbox closed under us: the host is stopping.
        }
    }
}
