using System.Globalization;
using AgentPlugins.Host.Roles;

namespace AgentPlugins.Host.Authoring;

/// <summary>
/// The file <c>host new role NAME</c> writes: a working role in the seven sections of docs/roles.md, in
/// their order, small enough to read whole, that validates clean and runs (<c>/NAME echo hello</c>).
/// </summary>
internal static class RoleTemplate
{
    /// <summary>True when <paramref name="name"/> can name a role: a lowercase identifier.</summary>
    public static bool IsValidName(string name) => RoleConfigRules.NamePattern().IsMatch(name);

    /// <summary><c>weather_alerts</c> → <c>WeatherAlerts</c>.</summary>
    public static string TypeNameOf(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpper(part[0], CultureInfo.InvariantCulture) + part[1..]));

    public static string Render(string name)
    {
        var type = TypeNameOf(name);
        return $$"""
            // The {{name}} role, written by `host new role {{name}}`. Fill in each section in place and keep
            // their order (docs/roles.md says why); roles/timer.cs is a complete example. Check the file with
            // `validate` as the host will load it; docs/rules.md explains every rule it reports.
            using System.ComponentModel;
            using AgentPlugins.Sdk;
            using Microsoft.SemanticKernel;

            // ── 1. Intents this role owns: one per action, each checks its own values ────────────────────

            /// <summary>Say a message to the user who asked.</summary>
            public sealed record EchoIntent(string Message) : Intent
            {
                public override bool Validate() => !string.IsNullOrWhiteSpace(Message);
            }

            public sealed class {{type}}Role : IRole
            {
                // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

                public RoleConfig Config { get; } = new(
                    Name: "{{name}}",
                    Version: "0.1.0",
                    Description: "Echoes text back to the user (replace with what the {{name}} role does)",
                    WhenToUse: "The user asks to echo something (replace with when to pick the {{name}} role)",
                    Llm: LlmTier.Default,
                    FastReply: true);

                // ── 3. Registration: everything below, in this order ─────────────────────────────────────

                public void Register(RoleBuilder role)
                {
                    role.On(Events.RoleLoaded, OnRoleLoaded);
                    role.Tools(this);
                    role.Handle<EchoIntent>(ProcessEcho);
                }

                // ── 4. Event handlers: pure, event in, intents out ───────────────────────────────────────

                private static IEnumerable<Intent> OnRoleLoaded(BusEvent e, EventContext context)
                {
                    if (e.Get("role") == "{{name}}")
                    {
                        yield return new AuditIntent("role_loaded", $"{{name}} generation {e.Get("generation")} loaded at {context.Time:O}");
                    }
                }

                // ── 5. Tools: what the model (or a /{{name}} command) can call; they return intents ──────

                [KernelFunction("echo"), Description("Say the given text back to the user")]
                public ToolResult Echo([Description("The text to say back, e.g. hello")] string text) =>
                    string.IsNullOrWhiteSpace(text)
                        ? ToolResult.Fail("Say what to echo, e.g. /{{name}} echo hello.")
                        : ToolResult.Ok($"Echoing '{Tidy(text)}'.", new EchoIntent(Tidy(text)));

                // ── 6. Helpers: private static functions ─────────────────────────────────────────────────

                private static string Tidy(string text) => text.Trim();

                // ── 7. Intent handlers: the only side effects, through the context's host services ───────

                private static Task ProcessEcho(EchoIntent intent, IntentContext context) =>
                    context.NotifyAsync(intent.Message);
            }

            """;
    }
}
