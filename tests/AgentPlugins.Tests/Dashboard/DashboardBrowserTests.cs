using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.FrontDoor;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace AgentPlugins.Tests.Dashboard;

/// <summary>The dashboard in a real Chromium against a real host (Kestrel on 127.0.0.1, a watched roles folder).</summary>
public sealed class DashboardBrowserTests(BrowserSession browser) : IClassFixture<BrowserSession>, IDisposable
{
    private const int Patience = 20_000;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_broken_save_shows_its_error_with_the_source_line_live_and_the_fix_shows_the_next_generation()
    {
        await using var host = await FrontDoorHost.StartAsync(Watched(FrontDoorHost.Options(_folder)));
        await using var page = await browser.OpenAsync(host.Address);
        await WaitForTextAsync(page, "#roles", "timer");
        await WaitForTextAsync(page, "#live", "live");
        Assert.Contains("serving", await TextAsync(page, "#roles"), StringComparison.Ordinal);
        var timer = Path.Combine(_folder.Path, "roles", "timer.cs");
        var good = await File.ReadAllTextAsync(timer);

        await File.WriteAllTextAsync(timer, good.Replace("Listing your timers.", "Listing your timers.\" + ;", StringComparison.Ordinal));
        await WaitForTextAsync(page, "#timeline", "failed");
        var timeline = await TextAsync(page, "#timeline");
        Assert.Matches(@"timer\.cs\(\d+,\d+\): error CS\d+", timeline);
        Assert.Contains("Listing your timers.\" + ;", timeline, StringComparison.Ordinal);
        await page.ScreenshotAsync(Path.Combine(BrowserSession.Screenshots, "dashboard-failed-save.png"));

        await File.WriteAllTextAsync(timer, good.Replace("Listing your timers.", "Listing your timers:", StringComparison.Ordinal));
        await WaitForTextAsync(page, "#timeline", "generation 2");
        await WaitForTextAsync(page, "#roles table", "timer\t2\tserving");
        await page.ScreenshotAsync(Path.Combine(BrowserSession.Screenshots, "dashboard-fixed.png"));
    }

    [Fact]
    public async Task A_timer_set_from_the_try_it_box_shows_the_reply_a_countdown_and_then_the_notification()
    {
        await using var host = await FrontDoorHost.StartAsync(Watched(FrontDoorHost.Options(_folder)));
        await using var page = await browser.OpenAsync(host.Address);
        await WaitForTextAsync(page, "#roles", "timer");

        await page.TypeAsync("#try input[name=text]", "/timer set_timer 3s kiwi");
        await page.ClickAsync("#try button");

        await WaitForTextAsync(page, "#reply", "Setting a 3 second timer for 'kiwi'.");
        await WaitForTextAsync(page, "#timers", "s left");
        Assert.Contains("'kiwi'", await TextAsync(page, "#timers"), StringComparison.Ordinal);
        await page.ScreenshotAsync(Path.Combine(BrowserSession.Screenshots, "dashboard-timer.png"));
        await WaitForTextAsync(page, "#notifications", "Timer 'kiwi' is done");
    }

    [Fact]
    public async Task A_failing_handler_shows_in_recent_errors_with_its_role_file_and_line()
    {
        _folder.Write("roles/boom.cs", """
            using AgentPlugins.Sdk;

            public sealed class BoomRole : IRole
            {
                public RoleConfig Config { get; } = new("boom", "1.0.0", "Fails on purpose", WhenToUse: "dashboard tests");

                public void Register(RoleBuilder role) => role.On("BOOM", Explode);

                private static IEnumerable<Intent> Explode(BusEvent e, EventContext context) =>
                    throw new InvalidOperationException("the fuse was short");
            }
            """);
        await using var host = await FrontDoorHost.StartAsync(Watched(FrontDoorHost.Options(_folder)));
        await using var page = await browser.OpenAsync(host.Address);
        await WaitForTextAsync(page, "#live", "live");

        await host.Services.GetRequiredService<MessageBus>().PublishAsync(new BusEvent("BOOM"), EventOrigin.Host);

        await WaitForTextAsync(page, "#errors", "the fuse was short");
        var errors = await TextAsync(page, "#errors");
        Assert.Contains("boom/Explode", errors, StringComparison.Ordinal);
        Assert.Matches(@"\(boom\.cs:1[01]\)", errors);
        await WaitForTextAsync(page, "#failures", "1");
    }

    [Fact]
    public async Task A_leaked_generation_shows_as_leaked_with_its_likely_cause()
    {
        var source = await File.ReadAllTextAsync(Repository.Fixture("reload/pinning.cs"));
        _folder.Write("roles/pinning.cs", source);
        var options = Watched(FrontDoorHost.Options(_folder));
        options = options with { Roles = WithoutRoleRules.Roles(options.Roles with { Unload = new UnloadVerifierOptions { Passes = 4, FirstDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(100) } }) };
        await using var host = await FrontDoorHost.StartAsync(options);
        await using var page = await browser.OpenAsync(host.Address);
        await WaitForTextAsync(page, "#roles", "pinning");

        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "roles", "pinning.cs"), source + "\n// v2\n");

        await WaitForTextAsync(page, "#verdicts", "leaked");
        Assert.Contains("System.AppDomain.ProcessExit", await TextAsync(page, "#verdicts"), StringComparison.Ordinal);
        await WaitForTextAsync(page, "#leaked", "1");
    }

    [Fact]
    public async Task Without_the_right_token_the_page_asks_for_it_and_shows_no_data()
    {
        var variable = "DASHBOARD_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await FrontDoorHost.StartAsync(Watched(FrontDoorHost.Options(_folder)), token: "s3cret", tokenVariable: variable);
        await using var page = await browser.OpenAsync(host.Address);

        await WaitForTextAsync(page, "#auth", "This host needs its token");
        Assert.DoesNotContain("timer", await TextAsync(page, "#roles"), StringComparison.Ordinal);
        await page.TypeAsync("#auth input[name=token]", "wrong");
        await page.ClickAsync("#auth button");
        await WaitForTextAsync(page, "#auth", "The token is wrong");
        Assert.DoesNotContain("timer", await TextAsync(page, "#roles"), StringComparison.Ordinal);
        await page.ScreenshotAsync(Path.Combine(BrowserSession.Screenshots, "dashboard-token.png"));

        await page.EvaluateExpressionAsync("document.querySelector('#auth input[name=token]').value = ''");
        await page.TypeAsync("#auth input[name=token]", "s3cret");
        await page.ClickAsync("#auth button");
        await WaitForTextAsync(page, "#roles", "timer");
        await WaitForTextAsync(page, "#live", "live");
    }

    [Fact]
    public async Task A_rule_help_link_opens_that_rule_s_section_without_a_token()
    {
        var variable = "DASHBOARD_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await FrontDoorHost.StartAsync(Watched(FrontDoorHost.Options(_folder)), token: "s3cret", tokenVariable: variable);
        await using var page = await browser.OpenAsync(new Uri(host.Address, "docs/rules.md#ap0201"));

        var section = await page.EvaluateExpressionAsync<string>("document.getElementById('ap0201')?.innerText ?? ''");

        Assert.StartsWith("### AP0201: No mutable static state", section, StringComparison.Ordinal);
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.querySelectorAll('section[id^=ap]').length > 30"));
    }

    private static AgentPluginsOptions Watched(AgentPluginsOptions options) => options with { Roles = options.Roles with { Watch = true } };

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("s => document.querySelector(s)?.innerText ?? ''", selector);

    private static async Task WaitForTextAsync(IPage page, string selector, string text)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "(s, t) => (document.querySelector(s)?.innerText ?? '').includes(t)",
                new WaitForFunctionOptions { Timeout = Patience, PollingInterval = 50 },
                selector,
                text);
        }
        catch (WaitTaskTimeoutException)
        {
            Assert.Fail($"'{text}' never appeared in {selector}; it shows: {await TextAsync(page, selector)}");
        }
    }
}
