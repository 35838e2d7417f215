using AgentPlugins.Sdk;
using AgentPlugins.Tests.Agents;

namespace AgentPlugins.Tests.Sdk;

/// <summary>A prompt hook reaches the same <see cref="RoleContext.Timers"/> as an intent handler, bound to the request's user.</summary>
public sealed class PromptContextTimersTests
{
    private const string Reminders = """
        using AgentPlugins.Sdk;

        public sealed class AgendaRole : IRole
        {
            public RoleConfig Config { get; } = new("agenda", "1.0.0", "Talks about what is coming up", "Questions about the user's running timers", FastReply: true);

            public void Register(RoleBuilder role)
            {
                role.Prompt("You tell the user what is coming up.");
                role.PreProcess(Agenda);
            }

            private static async Task<string> Agenda(PromptContext context)
            {
                var timers = await context.Timers.ListAsync();
                return $"{context.Role} for {context.Origin.User}: " + string.Join(", ", timers.Select(t => t.Label)) + ".";
            }
        }
        """;

    [Fact]
    public async Task A_pre_processor_lists_the_requesting_users_timers_and_no_one_elses()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["agenda.cs"] = Reminders });
        await agents.Runtime.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(5)), "tea", "tester", "console"));
        await agents.Runtime.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(9)), "bread", "tester", "console"));
        await agents.Runtime.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(1)), "bob's pasta", "bob", "console"));
        agents.Server.Enqueue(ScriptedReply.Route("agenda", 0.95), ScriptedReply.Text("Tea, then bread."));

        var reply = await agents.AskAsync("what is coming up?");

        Assert.True(reply.Success, reply.Text);
        Assert.Contains("agenda for tester: tea, bread.", agents.Server.Requests[1].System, StringComparison.Ordinal);
    }
}
