using AgentPlugins.Host.Intents;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Channels;

/// <summary>The channels this host can deliver to, by name.</summary>
internal sealed class ChannelRegistry
{
    private readonly Dictionary<string, IChannel> _channels = new(StringComparer.OrdinalIgnoreCase);
    private readonly INotificationCopy[] _copies;

    // A host has a handful of channels: a scan that tries the name's own instance first is cheaper
    // per notification than hashing it case-insensitively.
    private readonly IChannel[] _list;

    public ChannelRegistry(IEnumerable<IChannel> channels, IEnumerable<INotificationCopy>? copies = null)
    {
        _copies = [.. copies ?? []];
        foreach (var channel in channels)
        {
            if (!_channels.TryAdd(channel.Name, channel))
            {
                throw new InvalidOperationException($"Two channels are named '{channel.Name}'.");
            }
        }

        _list = [.. _channels.Values];
    }

    public IReadOnlyCollection<string> Names => _channels.Keys;

    /// <summary>The host's route for <see cref="NotificationIntent"/>: the channel it names delivers it.</summary>
    public void RouteNotifications(IntentProcessor intents)
    {
        ArgumentNullException.ThrowIfNull(intents);
        intents.RouteHost(typeof(NotificationIntent), new IntentRoute("channels", "notify", (intent, _) => NotifyAsync((NotificationIntent)intent)));
    }

    /// <summary>Delivers a notification to the channel it names.</summary>
    /// <exception cref="InvalidOperationException">No channel has that name; the message names the known ones.</exception>
    public Task NotifyAsync(NotificationIntent notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var message = new OutgoingMessage(notification.Message, notification.User, notification.Priority, MessageKind.Notification);
        var sent = SendAsync(notification.Channel, message, cancellationToken);
        return _copies.Length == 0 ? sent : CopyAfterAsync(sent, notification.Channel, message, cancellationToken);
    }

    public Task SendAsync(string channel, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        if (Find(channel) is not { } target)
        {
            throw new InvalidOperationException($"Unknown channel '{channel}'; known channels: {string.Join(", ", _channels.Keys)}.");
        }

        return target.SendAsync(message, cancellationToken);
    }

    private IChannel? Find(string name)
    {
        foreach (var channel in _list)
        {
            if (ReferenceEquals(channel.Name, name))
            {
                return channel;
            }
        }

        return _channels.GetValueOrDefault(name);
    }

    private async Task CopyAfterAsync(Task sent, string channel, OutgoingMessage message, CancellationToken cancellationToken)
    {
        await sent.ConfigureAwait(true);
        foreach (var copy in _copies)
        {
            await copy.CopyAsync(channel, message, cancellationToken).ConfigureAwait(true);
        }
    }
}
