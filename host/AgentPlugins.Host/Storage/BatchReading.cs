using System.Threading.Channels;

namespace AgentPlugins.Host.Storage;

/// <summary>How the stores' single writers take their queue: what waits is taken together, one transaction for many.</summary>
internal static class BatchReading
{
    /// <summary>
    /// Waits for at least one item, then fills <paramref name="batch"/> (cleared first) with what is queued,
    /// at most <paramref name="limit"/>. False once the channel is completed and empty.
    /// </summary>
    public static async ValueTask<bool> ReadBatchAsync<T>(this ChannelReader<T> reader, List<T> batch, int limit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        if (!await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            return false;
        }

        while (batch.Count < limit && reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        return true;
    }
}
