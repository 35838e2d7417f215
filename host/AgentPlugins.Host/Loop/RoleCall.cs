using System.Globalization;
using System.Text;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// One handler of one role generation, made once when the handler is registered so that marking a
/// call costs a few stores: its crash-journal record is encoded once, and the synchronization
/// context that tags its continuations is made once.
/// </summary>
internal sealed class RoleCall
{
    private byte[]? _record;

    internal RoleCall(GenerationGuard guard, string handler)
    {
        Guard = guard;
        Handler = handler;
    }

    public GenerationGuard Guard { get; }

    public string Handler { get; }

    /// <summary>Brings continuations of this call's code back to the loop, tagged with this call; made by the loop's watchdog on first use.</summary>
    internal SynchronizationContext? Context { get; set; }

    /// <summary>The crash-journal record: role, generation, handler, path, content hash, one per line (UTF-8).</summary>
    public byte[] Record => _record ??= Encoding.UTF8.GetBytes(string.Join(
        '\n',
        Guard.Role,
        Guard.Generation.ToString(CultureInfo.InvariantCulture),
        Handler,
        Guard.Path,
        Guard.ContentHash));

    // Where the crash journal keeps this call's record; written by the loop only.
    internal CallMarks? JournalOwner { get; set; }

    internal long JournalPosition { get; set; }

    public override string ToString() => $"{Guard.DisplayName}/{Handler}";
}
