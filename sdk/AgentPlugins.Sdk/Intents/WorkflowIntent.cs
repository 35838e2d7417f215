namespace AgentPlugins.Sdk;

/// <summary>
/// Work for the workflow engine: run an instruction (a direct command such as <c>/timer list_timers</c>,
/// or free text for the model) on behalf of a user. With <see cref="Plan"/> as its type, the
/// instruction goes straight to the planner, which splits it into steps for several roles.
/// </summary>
/// <param name="Type">What kind of work it is (<c>timer_follow_up</c>), or <see cref="Plan"/>.</param>
/// <param name="OriginalInstruction">The instruction to run, as the user would type it.</param>
/// <param name="Priority">The priority of the reply's notification.</param>
public sealed record WorkflowIntent(
    string Type,
    string OriginalInstruction,
    Priority Priority = Priority.Medium) : Intent
{
    /// <summary>The <see cref="Type"/> that asks for a plan instead of routing the instruction to one role.</summary>
    public const string Plan = "plan";

    public override bool Validate() =>
        !string.IsNullOrWhiteSpace(Type) && !string.IsNullOrWhiteSpace(OriginalInstruction) && Enum.IsDefined(Priority);
}
