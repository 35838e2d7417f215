using System.Text.Json;
using AgentPlugins.Sdk;
using AgentPlugins.Testing;

namespace RoleTests;

// The notes role keeps each user's notes in the host's durable store, and the reminder role owns its
// timers. The kit gives intent handlers the host's own store on a temporary file (harness.Store reads
// and seeds it) and records the timers, so their handlers run here for real.
public sealed class StoreRoleTests
{
    [Fact]
    public async Task Notes_registers_described_tools_and_its_intents()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"));

        Assert.Equal(["add_note", "clear_notes", "list_notes", "search_notes"], notes.Registration.Tools.Select(t => t.Name));
        Assert.All(notes.Registration.Tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
        Assert.Equal(["AddNoteIntent", "ClearNotesIntent"], notes.Registration.IntentTypes);
        Assert.Empty(notes.Warnings);
    }

    [Fact]
    public async Task Add_note_returns_a_valid_intent_with_the_trimmed_text_and_refuses_an_empty_one()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"));

        var added = await notes.CallToolAsync("add_note", new { text = "  buy milk " });
        Assert.True(added.Success);
        var intent = added.Intents.SingleNamed("AddNoteIntent");
        Assert.True(intent.IsValid);
        Assert.Equal("buy milk", intent.Get<string>("Text"));

        var empty = await notes.CallToolAsync("add_note", new { text = " " });
        Assert.False(empty.Success);
        Assert.Empty(empty.Intents);
    }

    [Fact]
    public async Task Notes_are_added_listed_searched_and_cleared_through_the_store()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"));
        Assert.Equal("You have no notes.", (await notes.CallToolAsync("list_notes")).Message);

        foreach (var text in new[] { "buy milk", "call the plumber", "milk for the cat" })
        {
            await notes.HandleAllAsync((await notes.CallToolAsync("add_note", new { text })).Intents);
        }

        Assert.Equal(["Noted (1 note).", "Noted (2 notes).", "Noted (3 notes)."], notes.Notifications.Select(n => n.Message));
        Assert.Equal("1. buy milk\n2. call the plumber\n3. milk for the cat", (await notes.CallToolAsync("list_notes")).Message);
        Assert.Equal("1. buy milk\n2. milk for the cat", (await notes.CommandAsync("search_notes MILK")).Message);
        Assert.Equal("No note mentions 'bread'.", (await notes.CommandAsync("search_notes bread")).Message);

        // What the handler stored, read as the test's own shape: one JSON list under "notes" for the user.
        Assert.Equal(["buy milk", "call the plumber", "milk for the cat"], await notes.Store.User.GetAsync<List<string>>("notes"));

        notes.ClearRecorded();
        await notes.HandleAllAsync((await notes.CallToolAsync("clear_notes")).Intents);
        await notes.HandleAllAsync((await notes.CallToolAsync("clear_notes")).Intents);
        Assert.Equal(["Your notes are cleared.", "You had no notes."], notes.Notifications.Select(n => n.Message));
        Assert.Null(await notes.Store.User.GetAsync<JsonElement?>("notes"));
    }

    [Fact]
    public async Task Each_user_has_notes_of_their_own()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"));
        await notes.Store.Of("bo").SetAsync("notes", new List<string> { "bo's secret" });    // seeded, as if Bo had noted it

        var added = await notes.CallToolAsync("add_note", new { text = "ana's note" });
        await notes.HandleAllAsync(added.Intents);
        await notes.HandleAllAsync(added.Intents, new EventContext("console", "bo", notes.Clock.GetUtcNow(), "test"));

        Assert.Equal("1. ana's note", (await notes.CallToolAsync("list_notes")).Message);
        Assert.Equal(["bo's secret", "ana's note"], await notes.Store.Of("bo").GetAsync<List<string>>("notes"));
        Assert.Equal(["ana's note"], await notes.Store.User.GetAsync<List<string>>("notes"));
    }

    [Fact]
    public async Task A_note_past_the_store_quota_is_refused_clearly_and_the_notes_before_it_stay()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"), new RoleHarnessOptions { StoreQuotaKilobytes = 1 });

        var note = new string('x', 400);
        for (var i = 0; i < 3; i++)
        {
            await notes.HandleAllAsync((await notes.CallToolAsync("add_note", new { text = $"{i}{note}" })).Intents);
        }

        var refused = notes.Notifications[^1];
        Assert.Equal(Priority.High, refused.Priority);
        Assert.StartsWith("Note not saved: Role notes: storing 'notes' (", refused.Message, StringComparison.Ordinal);
        Assert.Contains("over its quota of 1 KB (storage:roleStoreQuotaKilobytes); nothing was written.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await notes.Store.User.GetAsync<List<string>>("notes"))!.Count);
    }

    [Fact]
    public async Task Remind_me_reads_when_and_returns_a_valid_reminder_intent()
    {
        using var reminder = await RoleHarness.LoadAsync(RoleFiles.Path("reminder.cs"));
        Assert.Contains(Events.TimerExpired, reminder.Registration.Events);

        var set = await reminder.CommandAsync("remind_me 20m \"call mum\"");

        Assert.True(set.Success);
        var intent = set.Intents.SingleNamed("SetReminderIntent");
        Assert.True(intent.IsValid);
        Assert.Equal("call mum", intent.Get<string>("Text"));
        Assert.Equal(TimeSpan.FromMinutes(20), intent.Get<TimerDue>("Due").After);
        Assert.False((await reminder.CommandAsync("remind_me later \"call mum\"")).Success);
    }

    [Fact]
    public async Task A_reminder_sets_its_own_timer_and_its_expiry_says_what_to_remember_then_runs_the_follow_up()
    {
        using var reminder = await RoleHarness.LoadAsync(RoleFiles.Path("reminder.cs"));

        var set = await reminder.CallToolAsync("remind_me", new { when = "20m", text = "call mum", followUp = "/timer set_timer 5m tea" });
        await reminder.HandleAllAsync(set.Intents);

        var timer = Assert.Single(reminder.Timers.Pending);
        Assert.Equal(("reminder", "reminder", reminder.Clock.GetUtcNow().AddMinutes(20)), (timer.Label, timer.Owner, timer.DueAt));
        Assert.Equal("Reminder set (t1) for 09:20:00.", Assert.Single(reminder.Notifications).Message);

        reminder.Clock.Advance(TimeSpan.FromMinutes(20));
        var due = reminder.Raise(reminder.Timers.ExpiryOf(timer));

        Assert.Equal("Reminder: call mum", due.SingleOf<NotificationIntent>().Message);
        Assert.Equal("/timer set_timer 5m tea", due.SingleOf<WorkflowIntent>().OriginalInstruction);
        Assert.Empty(reminder.Timers.Pending);
    }

    [Fact]
    public async Task A_reminder_the_host_refuses_says_why()
    {
        using var reminder = await RoleHarness.LoadAsync(RoleFiles.Path("reminder.cs"));
        reminder.Timers.RefuseNext("you have 100 timers already");

        await reminder.HandleAllAsync((await reminder.CommandAsync("remind_me 18:00 \"water the plants\"")).Intents);

        Assert.Equal("Reminder not set: you have 100 timers already", Assert.Single(reminder.Notifications).Message);
        Assert.Empty(reminder.Timers.Pending);
    }
}
