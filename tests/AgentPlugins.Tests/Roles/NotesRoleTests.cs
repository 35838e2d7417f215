using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Requests;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Roles;

/// <summary>The sample notes role (roles/notes.cs) in a real runtime, through /notes commands.</summary>
public sealed class NotesRoleTests
{
    [Fact]
    public async Task Notes_are_added_listed_searched_and_cleared_per_user()
    {
        await using var runtime = await StartAsync();

        Assert.Equal("Noting 'buy milk'.", (await runtime.AskAsync("/notes add_note 'buy milk'")).Text);
        await runtime.Console.WaitForAsync(m => m.Text == "Noted (1 note).");
        await runtime.AskAsync("/notes add_note 'call Anna about the milk'");
        await runtime.Console.WaitForAsync(m => m.Text == "Noted (2 notes).");
        await AskAsAsync(runtime, "bob", "/notes add_note \"bob's own\"");
        await runtime.Console.WaitForAsync(m => m.Text == "Noted (1 note)." && m.User == "bob");

        Assert.Equal("1. buy milk\n2. call Anna about the milk", (await runtime.AskAsync("/notes list_notes")).Text);
        Assert.Equal("1. buy milk\n2. call Anna about the milk", (await runtime.AskAsync("/notes search_notes MILK")).Text);
        Assert.Equal("1. call Anna about the milk", (await runtime.AskAsync("/notes search_notes anna")).Text);
        Assert.Equal("No note mentions 'bread'.", (await runtime.AskAsync("/notes search_notes bread")).Text);
        Assert.Equal("1. bob's own", (await AskAsAsync(runtime, "bob", "/notes list_notes")).Text);

        Assert.Equal("Clearing your notes.", (await runtime.AskAsync("/notes clear_notes")).Text);
        await runtime.Console.WaitForAsync(m => m.Text == "Your notes are cleared.");
        Assert.Equal("You have no notes.", (await runtime.AskAsync("/notes list_notes")).Text);
        Assert.Equal("1. bob's own", (await AskAsAsync(runtime, "bob", "/notes list_notes")).Text);
    }

    [Fact]
    public async Task Twenty_quick_add_note_commands_keep_twenty_notes()
    {
        await using var runtime = await StartAsync();

        var replies = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => runtime.AskAsync($"/notes add_note n{i}")));

        Assert.All(replies, r => Assert.True(r.Success, r.Text));
        await runtime.Console.WaitForAsync(m => m.Text == "Noted (20 notes).");
        var listed = (await runtime.AskAsync("/notes list_notes")).Text.Split('\n');
        Assert.Equal(20, listed.Length);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"n{i}").Order(), listed.Select(l => l[(l.IndexOf(". ", StringComparison.Ordinal) + 2)..]).Order());
    }

    [Theory]
    [InlineData("/notes add_note ''", "Say what to note.")]
    [InlineData("/notes search_notes ''", "Say what to look for.")]
    public async Task Empty_input_is_a_failed_tool_result_saying_what_is_missing(string request, string expected)
    {
        await using var runtime = await StartAsync();

        var reply = await runtime.AskAsync(request);

        Assert.False(reply.Success);
        Assert.Equal(expected, reply.Text);
    }

    [Fact]
    public async Task A_note_past_the_store_quota_is_not_saved_the_user_is_told_why_and_earlier_notes_stay()
    {
        await using var runtime = await StartAsync(options => options with { Storage = options.Storage with { RoleStoreQuotaKilobytes = 1 } });
        await runtime.AskAsync($"/notes add_note {new string('a', 600)}");
        await runtime.Console.WaitForAsync(m => m.Text == "Noted (1 note).");

        await runtime.AskAsync($"/notes add_note {new string('b', 600)}");

        var told = await runtime.Console.WaitForAsync(m => m.Text.StartsWith("Note not saved:", StringComparison.Ordinal));
        Assert.Contains("Role notes: storing 'notes'", told.Text, StringComparison.Ordinal);
        Assert.Contains("over its quota of 1 KB (storage:roleStoreQuotaKilobytes)", told.Text, StringComparison.Ordinal);
        Assert.Equal($"1. {new string('a', 600)}", (await runtime.AskAsync("/notes list_notes")).Text);
    }

    [Theory]
    [InlineData("notes.cs")]
    [InlineData("reminder.cs")]
    public void The_sample_passes_validate_and_stays_small(string name)
    {
        var file = Repository.SampleRole(name);

        Assert.Empty(Validation.Validate.Source(File.ReadAllText(file), name).Select(d => d.ToString()));
        Assert.InRange(File.ReadAllLines(file).Length, 1, 200);
    }

    private static Task<Reply> AskAsAsync(TestRuntime runtime, string user, string text) =>
        runtime.Loop.InvokeAsync(() => runtime.Workflows.HandleAsync(new Request(text, "console", user), reply =>
            runtime.Console.SendAsync(new Host.Channels.OutgoingMessage(reply.Text, user, AgentPlugins.Sdk.Priority.Medium, Host.Channels.MessageKind.Reply), CancellationToken.None)));

    private static async Task<TestRuntime> StartAsync(Func<AgentPluginsOptions, AgentPluginsOptions>? configure = null)
    {
        var runtime = await TestRuntime.Create(
            new Dictionary<string, string> { ["notes.cs"] = File.ReadAllText(Repository.SampleRole("notes.cs")) },
            configure: configure).StartAsync();
        Assert.Empty(runtime.StartupFailures);
        return runtime;
    }
}
