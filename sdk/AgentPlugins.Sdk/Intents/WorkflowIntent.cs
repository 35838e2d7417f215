namespace AgentPlugins.Sdk;

/// <summary>
/// Work for the workflow engine: run an instruction (a direct command such as <c>/timer list_timers</c>,
/// or free text for the model) on behalf of a user.
/// </summary>
public sealed record WorkflowIntent(
    string Type,
    string OriginalInstruction,
    IReadOnlyDictionary<string, string>? Parameters = null,
    Priority Priority = Priority.Medium) : Intent
{
    public override bool Validate() =>
        !string.IsNullOrWhiteSpace(Type) && !string.IsNullOrWhiteSpace(OriginalInstruction) && Enum.IsDefined(Priority);
}
