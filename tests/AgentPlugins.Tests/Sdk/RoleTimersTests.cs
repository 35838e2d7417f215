using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Sdk;

/// <summary>
/// <see cref="RoleTimers"/> (a role's <c>context.Timers</c>) over the real timer service and SQLite file:
/// it acts for the user and channel the call came from, so a role never passes them.
/// </summary>
public sealed class RoleTimersTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(TimerRig.Start);
    private readonly TempFolder _folder = new();

    private string Database => Path.Combine(_folder.Path, "timers.db");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_timer_set_through_the_context_belongs_to_the_origin_user_and_expires_to_its_channel()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        var ann = For(rig, "http", "ann");

        var result = await ann.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(5)), "tea", "/timer list_timers");

        Assert.True(result.Scheduled, result.Refusal);
        Assert.Equal(("ann", "http", "/timer list_timers"), (result.Timer.User, result.Timer.Channel, result.Timer.FollowUp));
        await rig.AdvanceAsync(TimeSpan.FromMinutes(5));
        var expired = Assert.Single(rig.Expired);
        Assert.Equal(("tea", "ann", "http"), (expired.Get(TimerData.Label), expired.Get(TimerData.User), expired.Get(TimerData.Channel)));
    }

    [Fact]
    public async Task List_and_cancel_see_only_the_origin_users_timers()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        var ann = For(rig, "console", "ann");
        var bob = For(rig, "console", "bob");
        var bobsTea = (await bob.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(3)), "tea")).Timer!;
        await ann.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(9)), "eggs");
        await ann.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(2)), "tea");

        Assert.Equal(["tea", "eggs"], (await ann.ListAsync()).Select(t => t.Label));
        Assert.False(await ann.CancelAsync(bobsTea.Id));
        Assert.True(await ann.CancelAsync("tea"));

        Assert.Equal(["eggs"], (await ann.ListAsync()).Select(t => t.Label));
        Assert.Equal([bobsTea.Id], (await bob.ListAsync()).Select(t => t.Id));
    }

    [Fact]
    public async Task A_users_timers_on_another_channel_are_not_listed_there()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        await For(rig, "console", "ann").ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(1)), "console tea");

        Assert.Empty(await For(rig, "http", "ann").ListAsync());
        Assert.Single(await For(rig, "console", "ann").ListAsync());
    }

    [Fact]
    public async Task An_origin_without_a_user_has_its_own_timers_on_its_channel()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        var heartbeat = For(rig, "console", null);

        var result = await heartbeat.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(1)), "nightly");

        Assert.Null(result.Timer!.User);
        Assert.Equal(["nightly"], (await heartbeat.ListAsync()).Select(t => t.Label));
        Assert.Empty(await For(rig, "console", "ann").ListAsync());
    }

    [Fact]
    public async Task A_refusal_comes_back_as_a_result_not_an_exception()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database, new Host.Timers.TimersOptions { TimeZone = "UTC", MaxDuration = TimeSpan.FromHours(1) });

        var result = await For(rig, "console", "ann").ScheduleAsync(TimerDue.In(TimeSpan.FromHours(2)), "pasta");

        Assert.False(result.Scheduled);
        Assert.Contains("timers:maxDuration", result.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_role_calls_cancellation_cancels_its_timer_calls()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        using var retired = new CancellationTokenSource();
        var timers = new RoleTimers(rig.Timers, Origin("console", "ann"), retired.Token);
        await retired.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timers.ListAsync());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timers.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(1)), "tea"));
    }

    [Fact]
    public async Task A_token_the_caller_passes_cancels_too_and_the_role_calls_still_applies()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        using var retired = new CancellationTokenSource();
        using var caller = new CancellationTokenSource();
        var timers = new RoleTimers(rig.Timers, Origin("console", "ann"), retired.Token);

        Assert.Empty(await timers.ListAsync(caller.Token));
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timers.ListAsync(caller.Token));

        using var other = new CancellationTokenSource();
        await retired.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timers.CancelAsync("tea", other.Token));
    }

    [Fact]
    public async Task Missing_arguments_are_refused_by_name()
    {
        await using var rig = await TimerRig.StartAsync(_clock, Database);
        var timers = For(rig, "console", "ann");

        // Refused before the service is asked, synchronously.
        Assert.Equal("due", Assert.Throws<ArgumentNullException>(() => { _ = timers.ScheduleAsync(null!, "tea"); }).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentNullException>(() => { _ = timers.ScheduleAsync(TimerDue.In(TimeSpan.FromMinutes(1)), null!); }).ParamName);
        Assert.Equal("idOrLabel", Assert.Throws<ArgumentNullException>(() => { _ = timers.CancelAsync(null!); }).ParamName);
        Assert.Equal("timers", Assert.Throws<ArgumentNullException>(() => new RoleTimers(null!, Origin("console", "ann"), CancellationToken.None)).ParamName);
        Assert.Empty(await timers.ListAsync());
    }

    private RoleTimers For(TimerRig rig, string channel, string? user) => new(rig.Timers, Origin(channel, user), CancellationToken.None);

    private EventContext Origin(string channel, string? user) => new(channel, user, _clock.GetUtcNow(), $"channel:{channel}");
}
