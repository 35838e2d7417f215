using System.Reactive.Linq;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Tells the person at the console what happened to their role files, as it happens: a generation
/// serving, a save refused (with every diagnostic), a role quarantined. Failures must reach the user
/// at once, not only the log: the console is where they look.
/// </summary>
internal sealed class RoleNotices(ChannelRegistry channels, RoleLifecycle lifecycle, ILogger<RoleNotices> log)
{
    /// <summary>Whether a generation starting to serve is shown (after start-up: the initial load is summed up by the log instead).</summary>
    public bool ShowServing { get; set; }

    /// <summary>Shows each change of <paramref name="changes"/> worth telling on the console (when there is one).</summary>
    public IDisposable Follow(IObservable<GenerationChanged> changes) =>
        changes.Select(Describe).Where(text => text is not null).Subscribe(text => Show(text!));

    private string? Describe(GenerationChanged change)
    {
        var file = Path.GetFileName(change.Path);
        switch (change.State)
        {
            case GenerationState.Serving when ShowServing:
                return $"{file}: role {change.Role} generation {change.Number} serving.";
            case GenerationState.Quarantined:
                return $"Role {change.Role} is quarantined: {string.Join(" ", change.Diagnostics.Select(d => d.Message))}";
            case GenerationState.Refused:
                var status = lifecycle.StatusOf(change.Path);
                var outcome = status switch
                {
                    null or { Generation: 0 } => "nothing from this file is serving",
                    { State: RoleState.Quarantined } => $"generation {status.Generation} of {status.Name} stays quarantined",
                    _ => $"generation {status.Generation} of {status.Name} keeps serving",
                };
                return $"{file} did not load; {outcome}.{Environment.NewLine}{string.Join(Environment.NewLine, change.Diagnostics)}";
            default:
                return null;
        }
    }

    private void Show(string text)
    {
        if (!channels.Names.Contains(ChannelNames.Console))
        {
            return;
        }

        channels.SendAsync(ChannelNames.Console, new OutgoingMessage(text, null, Priority.High, MessageKind.Notification)).ContinueWith(
            (failed, state) => ((ILogger)state!).LogWarning(failed.Exception, "Could not show a role change on the console."),
            log,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
