using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Store;

/// <summary>
/// What becomes of intents waiting for their role's turn when the generation that was to take them
/// stops serving (reloaded, retired, quarantined): each fails, and the user who asked is told why;
/// nothing waits forever, and the role's next turns go to whatever serves.
/// </summary>
public sealed class WaitingTurnTests
{
    private static string Slow(string version) => $$"""
        using AgentPlugins.Sdk;

        public sealed record Work(string Text) : Intent { public override bool Validate() => Text.Length > 0; }

        public sealed class SlowRole : IRole
        {
            public RoleConfig Config { get; } = new("slow", "1.0.0", "Slow work", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Handle<Work>(ProcessWork);

            private static async Task ProcessWork(Work intent, IntentContext context)
            {
                await context.NotifyAsync($"{{version}} began {intent.Text}");
                await Task.Delay(TimeSpan.FromSeconds(1));
                await context.NotifyAsync($"{{version}} ended {intent.Text}");
            }
        }
        """;

    [Fact]
    public async Task Turns_waiting_through_a_reload_fail_the_user_is_told_and_the_new_generation_takes_new_intents()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["slow.cs"] = Slow("v1") }).StartAsync();
        Assert.Empty(test.StartupFailures);

        await TurnTests.SubmitAll(test, [TurnTests.Intent(test, "Work", "a"), TurnTests.Intent(test, "Work", "b"), TurnTests.Intent(test, "Work", "c")]);
        await test.Console.WaitForAsync(m => m.Text == "v1 began a");
        Assert.Equal(2, (await test.Loop.InvokeAsync(() => Task.FromResult(test.Intents.WaitingTurns)))["slow"]);

        Assert.Empty(await test.LoadSourceAsync(test.PathOf("slow.cs"), Slow("v2")));
        await WaitForCount(test, "slow could not finish your request: role slow was reloaded while Work waited for its turn; it was not handled, please ask again", 2);

        await TurnTests.SubmitAll(test, [TurnTests.Intent(test, "Work", "d")]);
        await test.Console.WaitForAsync(m => m.Text == "v2 ended d", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(test.Console.Messages, m => m.Text is "v1 began b" or "v1 began c" or "v2 began b");
    }

    [Fact]
    public async Task Turns_waiting_when_the_role_is_quarantined_fail_and_the_user_is_told()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["slow.cs"] = Slow("v1") }).StartAsync();

        await TurnTests.SubmitAll(test, [TurnTests.Intent(test, "Work", "a"), TurnTests.Intent(test, "Work", "b")]);
        await test.Console.WaitForAsync(m => m.Text == "v1 began a");

        Assert.NotNull(test.Roles.Quarantine("slow", "test quarantine").Generation);

        var told = await test.Console.WaitForAsync(m => m.Text.Contains("Work waited for its turn", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal("slow could not finish your request: role slow stopped serving (retired or quarantined) while Work waited for its turn; it was not handled", told.Text);
        Assert.DoesNotContain(test.Console.Messages, m => m.Text == "v1 began b");
        Assert.Empty(await test.Loop.InvokeAsync(() => Task.FromResult(test.Intents.WaitingTurns)));
        Assert.Contains(test.Intents.Stats.RecentFailures, f => f.StartsWith("slow: role slow stopped serving", StringComparison.Ordinal));
    }

    private static async Task WaitForCount(TestRuntime test, string text, int count)
    {
        await TurnTests.WaitUntil(() => test.Console.Messages.Count(m => m.Text == text) == count);
    }
}
