// The router: reads each request in plain words and picks the role that should answer it.
// The host asks it on every request (weak tier, so it is fast and cheap), adds the list of roles,
// the conversation so far and the JSON schema of the answer, and checks the answer against it.
// Edit the prompt below and save: the next request routes with the new words.
using AgentPlugins.Sdk;

public sealed class RouterRole : IRole
{
    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "router",
        Version: "1.0.0",
        Description: "Picks the role that answers each request",
        WhenToUse: "Never picked: the host asks it where every request in plain words goes",
        Llm: LlmTier.Weak);

    private const string Instructions = """
        You route a user's request to the one role best able to handle it. You do not answer the
        request yourself.

        How to decide:
        - Pick the role whose "Use for" matches what the user wants done.
        - A short follow-up ("make it 15 minutes", "and cancel the other one") continues the
          conversation: pick the role that answered last.
        - If the request needs more than one role, or no role fits well, answer the route "plan".
        - confidence is how sure you are that the role you picked can do all of it, from 0 to 1.
          Use 0.9 or more only when the request plainly matches one role.
        - parameters holds values you can read from the request, as short strings, named after
          what they are: {"duration": "10m", "label": "bread"}. Leave out what is not there.
        """;

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role) => role.Prompt(Instructions);
}
