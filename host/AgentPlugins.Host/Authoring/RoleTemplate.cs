using System.Globalization;
using AgentPlugins.Host.Roles;

namespace AgentPlugins.Host.Authoring;

/// <summary>
/// The file <c>host new role NAME</c> writes: a working role in DESIGN.md's seven sections, small
/// enough to read whole, that validates clean and runs (<c>/NAME echo hello</c>).
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
            // The {{name}} role. Written by `host new role {{name}}`: fill in each section, then run
            // `host validate roles/{{name}}.cs`; docs/rules.md explains every rule it checks.
            using System.ComponentModel;
            using AgentPlugins.Sdk;
            using Microsoft.SemanticKernel;

            public sealed class {{type}}Role : IRole
            {
                // ── 1. Role metadata: what the role is and when the router picks it ───────────────────

                public RoleConfig Config { get; } = new(
                    Name: "{{name}}",
                    Version: "0.1.0",
                    Description: "Echoes text back to the user (replace with what the {{name}} role does)",
                    Llm: LlmTier.Default,
                    FastReply: true,
                    WhenToUse: "The user asks to echo something (replace with when to pick the {{name}} role)");

                // ── 2. Role-owned intents: what the role asks the host to do; each validates itself ──

                public sealed record {{type}}Intent(string Message) : Intent
                {
                    public override bool Validate() => !string.IsNullOrWhiteSpace(Message);
                }

                // ── 3. Event handlers: pure, event and context in, intents out ────────────────────────

                private static IEnumerable<Intent> OnRoleLoaded(BusEvent e, EventContext context)
                {
                    if (e.Get("role") == "{{name}}")
                    {
                        yield return new AuditIntent("role_loaded", $"{{name}} generation {e.Get("generation")} loaded at {context.Time:O}");
                    }
                }

                // ── 4. Tools: what the model (or a /{{name}} command) can call ───────────────────────

                [KernelFunction("echo"), Description("Say the given text back to the user")]
                public ToolResult Echo([Description("The text to say back, e.g. hello")] string text) =>
                    string.IsNullOrWhiteSpace(text)
                        ? ToolResult.Fail("Say what to echo, e.g. /{{name}} echo hello.")
                        : ToolResult.Ok($"Echoing '{Tidy(text)}'.", new {{type}}Intent(Tidy(text)));

                // ── 5. Helpers: private static functions ──────────────────────────────────────────────

                private static string Tidy(string text) => text.Trim();

                // ── 6. Intent handlers: the only place with side effects, through IntentContext ──────

                private static Task Process{{type}}Intent({{type}}Intent intent, IntentContext context) =>
                    context.NotifyAsync(intent.Message);

                // ── 7. Registration ───────────────────────────────────────────────────────────────────

                public void Register(RoleBuilder role)
                {
                    role.On(Events.RoleLoaded, OnRoleLoaded);
                    role.Tools(this);
                    role.Handle<{{type}}Intent>(Process{{type}}Intent);
                }
            }

            """;
    }
}
