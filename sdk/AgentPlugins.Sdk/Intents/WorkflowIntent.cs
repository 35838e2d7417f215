namespace AgentPlugins.Sdk;

/// <summary>
/// Work for the workflow engine: run an instruction (a direct command such as <c>/timer list_timers</c>,
/// or free text for the model) on behalf of a user. With <see cref="Plan"/> as its type, the
/// instruction goes straight to the planner, which splits it into steps for several roles.
/// </summary>
public sealed record WorkflowIntent(
    string Type,
    string OriginalInstruction,
    IReadOnlyDictionary<string, string>? Parameters = null,
    Priority Priority = Priority.Medium) : Intent
{
    /// <summary>The <see cref="Type"/> that asks for a plan instead of routing the instruction to one role.</summary>
    public const string Plan = "plan";

    public override bool Validate() =>
        !string.IsNullOrWhiteSpace(Type) && !string.IsNullOrWhiteSpace(OriginalInstruction) && Enum.IsDefined(Priority);
}
