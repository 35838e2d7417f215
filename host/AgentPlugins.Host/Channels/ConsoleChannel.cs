using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Channels;

/// <summary>
/// The console: replies and notifications to standard output, one line each. Logs go to standard
/// error, so stdout carries only what users are meant to read.
/// </summary>
internal sealed class ConsoleChannel(TextWriter output) : IChannel
{
    private readonly Lock _gate = new();

    public string Name => ChannelNames.Console;

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var prefix = message.Kind == MessageKind.Notification
            ? message.Priority == Priority.High ? "[!] " : "[notify] "
            : string.Empty;
        lock (_gate)
        {
            output.WriteLine(prefix + message.Text);
            output.Flush();
        }

        return Task.CompletedTask;
    }
}
