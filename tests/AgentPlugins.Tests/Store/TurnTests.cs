using AgentPlugins.Host.Intents;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Store;

/// <summary>
/// One turn at a time per role: a role's next intent handler starts only when its previous one has
/// ended, awaits included, while other roles go on. The case from the issue: notes written by 20
/// quick requests, each reading the list, awaiting, and writing it back, lost half of them.
/// </summary>
public sealed class TurnTests
{
    private const string Notes = """
        using AgentPlugins.Sdk;

        public sealed record AddNote(string Text) : Intent { public override bool Validate() => Text.Length > 0; }

        public sealed record CountUp : Intent { public override bool Validate() => true; }

        public sealed class NotesRole : IRole
        {
            public RoleConfig Config { get; } = new("notes", "1.0.0", "Notes", WhenToUse: "tests");

            public void Register(RoleBuilder role)
            {
                role.Handle<AddNote>(ProcessAddNote);
                role.Handle<CountUp>(ProcessCountUp);
            }

            // Read, await, write: the shape that interleaves when two handlers of one role overlap.
            private static async Task ProcessAddNote(AddNote intent, IntentContext context)
            {
                var notes = await context.Store.User.GetAsync<List<string>>("notes") ?? [];
                await context.NotifyAsync($"Noting {intent.Text}");
                notes.Add(intent.Text);
                await context.Store.User.SetAsync("notes", notes);
            }

            private static async Task ProcessCountUp(CountUp intent, IntentContext context)
            {
                await context.Store.Role.UpdateAsync<int>("count", n => n + 1);
                await context.NotifyAsync("counted");
            }
        }
        """;

    private const string Echo = """
        using AgentPlugins.Sdk;

        public sealed record Echo(string Text) : Intent { public override bool Validate() => Text.Length > 0; }

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new("echo", "1.0.0", "Echo", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Handle<Echo>(ProcessEcho);

            private static Task ProcessEcho(Echo intent, IntentContext context) => context.NotifyAsync($"echo {intent.Text}");
        }
        """;

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public async Task Twenty_concurrent_read_await_write_handlers_of_one_role_lose_no_note()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["notes.cs"] = Notes }).StartAsync();
        await SubmitAll(test, Enumerable.Range(1, 20).Select(i => Intent(test, "AddNote", $"n{i}")));
        await WaitUntil(() => test.Intents.Stats.Processed >= 20);

        var notes = await ReadAsync<List<string>>(test, "notes", "user:console:ann");
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"n{i}"), notes);
        Assert.Equal(0, test.Intents.Stats.Failed);
    }

    [Fact]
    public async Task Twenty_concurrent_atomic_updates_count_twenty()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["notes.cs"] = Notes }).StartAsync();

        await SubmitAll(test, Enumerable.Range(1, 20).Select(_ => Intent(test, "CountUp")));
        await WaitUntil(() => test.Console.Messages.Count(m => m.Text == "counted") == 20);

        Assert.Equal(20, await ReadAsync<int>(test, "count", "role"));
    }

    [Fact]
    public async Task A_turn_starts_only_after_the_previous_one_ended_while_another_role_answers_in_between()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["notes.cs"] = Notes, ["echo.cs"] = Echo }).StartAsync();
        Assert.Empty(test.StartupFailures);

        await SubmitAll(test, [Intent(test, "AddNote", "first"), Intent(test, "AddNote", "second"), Intent(test, "Echo", "hi")]);
        await test.Console.WaitForAsync(m => m.Text == "Noting second");

        var texts = test.Console.Messages.Select(m => m.Text).ToList();

        // The echo ran while the first note's handler awaited the store; the second note started after the first had ended.
        Assert.True(texts.IndexOf("echo hi") < texts.IndexOf("Noting second"), string.Join(" | ", texts));
        Assert.Equal(["first", "second"], await ReadAsync<List<string>>(test, "notes", "user:console:ann"));
    }

    internal static Task SubmitAll(TestRuntime test, IEnumerable<Intent> intents) =>
        test.Loop.InvokeAsync(() =>
        {
            foreach (var intent in intents)
            {
                test.Intents.Submit(intent, new IntentOrigin("test", new EventContext("console", "ann", DateTimeOffset.UtcNow, "test")));
            }
        });

    // An intent of a type a role file declares, made by reflection: the test cannot name role types.
    internal static Intent Intent(TestRuntime test, string type, params object[] arguments)
    {
        var declared = test.Roles.Serving
            .SelectMany(g => g.Role!.GetType().Assembly.GetTypes())
            .First(t => t.Name == type);
        return (Intent)Activator.CreateInstance(declared, arguments)!;
    }

    internal static async Task<T?> ReadAsync<T>(TestRuntime test, string key, string scope, string role = "notes")
    {
        var stored = await test.Store.GetAsync(new StoreKey(role, scope, key));
        return stored is null ? default : System.Text.Json.JsonSerializer.Deserialize<T>(stored.Json, Json);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 800 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
