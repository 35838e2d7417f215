using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Store;

/// <summary>What the role store's worker carries out; each carries the task its caller awaits.</summary>
internal abstract record StoreCommand;

internal sealed record GetValue(StoreKey Key) : StoreCommand
{
    public TaskCompletionSource<StoredValue?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record ReplaceValue(StoreKey Key, string? Json, long? ExpectedVersion) : StoreCommand
{
    public TaskCompletionSource<long?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record ListValues(string Role, string Scope, string Prefix) : StoreCommand
{
    public TaskCompletionSource<IReadOnlyList<StoredEntry>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
