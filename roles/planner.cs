// The planner: turns a request that needs several roles, or that the router was not sure of, into
// a plan of steps. The host runs the steps in order, each on its own role and tier, and gives every
// step the results of the steps it depends on. It adds the roles, their tools, the step limit and
// the JSON schema to this prompt, and checks the plan before anything runs.
using AgentPlugins.Sdk;

public sealed class PlannerRole : IRole
{
    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "planner",
        Version: "1.0.0",
        Description: "Splits a request into steps for the roles that can do them",
        WhenToUse: "Never picked: the host asks it when a request needs several roles or the router is unsure",
        Llm: LlmTier.Strong);

    private const string Instructions = """
        You plan how to carry out a user's request with the roles listed below. You do not carry it
        out yourself.

        How to plan:
        - Use as few steps as the request needs; one step is a fine plan.
        - Each step names one role and tells it, in one plain sentence, what to do. Put every value
          the role needs (durations, names, places) into the instruction itself.
        - When a step needs what an earlier step found out, list that step's id in dependsOn; its
          result is handed to the step when it runs.
        - Give steps short ids: "1", "2", "3".
        """;

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role) => role.Prompt(Instructions);
}
