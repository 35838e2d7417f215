using AgentPlugins.Host;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Tests.Configuration;

/// <summary>
/// Role settings as .NET configuration reads them (case-insensitive, nested sections, environment
/// overrides) and secrets named by a variable or a file: read at load, never shown.
/// </summary>
public sealed class RoleSettingsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_upper_case_environment_variable_adds_to_the_role_settings_from_plugins_json_instead_of_emptying_them()
    {
        // A role name of this test's own: the variable is process-wide while the test runs.
        const string variable = "AGENTPLUGINS_ROLES__SETTINGS__UPPERCASEROLE__TOKEN";
        var path = _folder.Write("plugins.json", """
            { "roles": { "settings": { "uppercaserole": {
                "baseUrl": "http://homeassistant.local:8123",
                "http": { "timeout": "00:00:05", "headers": { "X-Client": "agentplugins" }, "allowedHosts": [ "homeassistant.local", "*.example.com" ] }
            } } } }
            """);
        Environment.SetEnvironmentVariable(variable, "abc123");
        try
        {
            var settings = OptionsLoader.Load(path).Options.Roles.Settings;

            var role = settings["UpperCaseRole"];
            Assert.Equal("http://homeassistant.local:8123", role["baseurl"]);
            Assert.Equal("abc123", role["token"]);
            Assert.Equal("00:00:05", role["http:timeout"]);
            Assert.Equal("agentplugins", role["HTTP:HEADERS:X-CLIENT"]);
            Assert.Equal(["homeassistant.local", "*.example.com"], [role["http:allowedHosts:0"], role["http:allowedHosts:1"]]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Settings_a_role_reads_are_case_insensitive()
    {
        var settings = new RoleSettings(new Dictionary<string, string> { ["baseUrl"] = "http://x", ["maxItems"] = "3" });

        Assert.Equal("http://x", settings["BASEURL"]);
        Assert.Equal(3, settings.Get("MaxItems", 0));
    }

    [Fact]
    public void A_variable_or_a_file_gives_the_role_a_secret_under_the_plain_key()
    {
        _folder.Write("secrets/ha.token", "  from-a-file\n");
        var resolved = RoleSecrets.Resolve(
            "smarthome",
            new Dictionary<string, string> { ["tokenVariable"] = "HA_TOKEN_FOR_TEST", ["keyFile"] = "secrets/ha.token", ["profile"] = "home", ["baseUrl"] = "http://ha" },
            _folder.Path,
            name => name == "HA_TOKEN_FOR_TEST" ? "from-the-environment" : null);

        Assert.Equal("from-the-environment", resolved["token"]);
        Assert.Equal("from-a-file", resolved["key"]);
        Assert.Equal("home", resolved["profile"]);
        Assert.True(resolved.IsSecret("token"));
        Assert.True(resolved.IsSecret("KEY"));
        Assert.False(resolved.IsSecret("baseUrl"));
        Assert.Null(resolved["tokenVariable"]);
        Assert.Equal("baseUrl=http://ha, key=***, profile=home, token=***", resolved.ToString());
    }

    [Fact]
    public void A_missing_variable_is_an_error_naming_the_role_the_key_and_the_variable()
    {
        var error = Assert.Throws<ConfigurationException>(() => RoleSecrets.Resolve(
            "smarthome", new Dictionary<string, string> { ["tokenVariable"] = "HA_TOKEN" }, _folder.Path, _ => null));

        Assert.Equal("Role 'smarthome': setting 'tokenVariable' names the environment variable 'HA_TOKEN', which is not set (roles:settings:smarthome:tokenVariable).", error.Message);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_the_role_the_key_and_the_path()
    {
        var error = Assert.Throws<ConfigurationException>(() => RoleSecrets.Resolve(
            "smarthome", new Dictionary<string, string> { ["tokenFile"] = "nope.txt" }, _folder.Path, _ => null));

        Assert.StartsWith($"Role 'smarthome': setting 'tokenFile' names the file '{Path.Combine(_folder.Path, "nope.txt")}', which cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_given_both_plainly_and_by_a_variable_is_an_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => RoleSecrets.Resolve(
            "smarthome", new Dictionary<string, string> { ["token"] = "a", ["tokenVariable"] = "HA_TOKEN" }, _folder.Path, _ => "b"));

        Assert.Contains("settings 'token' and 'tokenVariable' both set 'token'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_whose_variable_is_missing_does_not_load_and_says_which_role_and_key()
    {
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["secretive.cs"] = Secretive },
            configure: Settings(("tokenVariable", $"AP_TEST_MISSING_{Guid.NewGuid():N}"))).StartAsync();

        var failure = Assert.Single(test.StartupFailures);
        Assert.Equal(LoadCodes.InvalidSettings, failure.Code);
        Assert.Contains("Role 'secretive': setting 'tokenVariable' names the environment variable 'AP_TEST_MISSING_", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("roles", "secretive.cs"), failure.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_variable_goes_away_a_reload_fails_and_the_old_generation_keeps_serving()
    {
        var variable = $"AP_TEST_TOKEN_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "first-secret");
        try
        {
            await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["secretive.cs"] = Secretive }, configure: Settings(("tokenVariable", variable))).StartAsync();
            Assert.Empty(test.StartupFailures);
            Assert.Equal("token of 12 characters", (await test.AskAsync("/secretive check")).Text);

            Environment.SetEnvironmentVariable(variable, null);
            var errors = await test.LoadSourceAsync(test.PathOf("secretive.cs"), Secretive + "\n// v2\n");

            Assert.Contains(errors, e => e.Code == LoadCodes.InvalidSettings && e.Message.Contains(variable, StringComparison.Ordinal));
            Assert.Equal("token of 12 characters", (await test.AskAsync("/secretive check")).Text);
            Assert.Equal(1, test.StatusOf("secretive.cs")!.Generation);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_secret_never_reaches_the_logs_the_status_file_or_the_audit()
    {
        var secret = $"s3cr3t-{Guid.NewGuid():N}";
        var variable = $"AP_TEST_TOKEN_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.Ok()));
            var logs = new LogRecorder();
            await using (var test = await TestRuntime.Create(
                new Dictionary<string, string> { ["secretive.cs"] = Secretive },
                configure: Settings(("tokenVariable", variable), ("http:baseAddress", api.Address.ToString()), ("http:headers:X-Api-Key", "plain-header")),
                logs: logs).StartAsync())
            {
                Assert.Empty(test.StartupFailures);
                Assert.Equal("token of 39 characters", (await test.AskAsync("/secretive check")).Text);
                Assert.True((await test.AskAsync("/secretive call")).Success);
                await test.Console.WaitForAsync(m => m.Text.StartsWith("called", StringComparison.Ordinal));
                // The status file is rewritten after changes, off the request path: wait for it to list the role.
                var status = await StatusListingAsync(test.DataFolder, "secretive");
                Assert.DoesNotContain(secret, status, StringComparison.Ordinal);
                await test.ShutDownAsync();

                // The request carried it (the role sent it on purpose), and nothing the host writes did.
                Assert.Equal($"Bearer {secret}", Assert.Single(api.Received).Headers["Authorization"]);
                Assert.NotEmpty(logs.Lines);
                Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(secret, StringComparison.Ordinal));
                foreach (var file in Directory.EnumerateFiles(test.DataFolder, "*", SearchOption.AllDirectories))
                {
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    using var reader = new StreamReader(stream);
                    Assert.DoesNotContain(secret, await reader.ReadToEndAsync(), StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static async Task<string> StatusListingAsync(string dataFolder, string role)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var path = HostStatusFile.PathIn(dataFolder);
            var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : string.Empty;
            if (text.Contains($"\"{role}\"", StringComparison.Ordinal))
            {
                return text;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the status file never listed {role}: {text}");
            await Task.Delay(50);
        }
    }

    private const string Secretive = """
        using System.ComponentModel;
        using System.Net.Http.Headers;
        using AgentPlugins.Sdk;
        using Microsoft.Extensions.Logging;
        using Microsoft.SemanticKernel;

        public sealed record CallIntent : Intent
        {
            public override bool Validate() => true;
        }

        public sealed class SecretiveRole : IRole
        {
            public RoleConfig Config { get; } = new("secretive", "1.0.0", "Holds a token", WhenToUse: "settings tests");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                role.Handle<CallIntent>(CallAsync);
            }

            [KernelFunction("check"), Description("Says how long the token is")]
            public ToolResult Check(ToolContext context) => ToolResult.Ok($"token of {context.Settings["token"]?.Length ?? 0} characters");

            [KernelFunction("call"), Description("Calls the API with the token")]
            public ToolResult Call() => ToolResult.Ok("Calling.", new CallIntent(), new AuditIntent("call", "calling the API"));

            private static async Task CallAsync(CallIntent intent, IntentContext context)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/states");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Settings["token"]);
                using var response = await context.Http.SendAsync(request, context.Cancellation);
                context.Log.LogInformation("Settings: {Settings}", context.Settings);
                await context.NotifyAsync($"called: {(int)response.StatusCode}");
            }
        }
        """;

    private static Func<AgentPluginsOptions, AgentPluginsOptions> Settings(params (string Key, string Value)[] settings) => options => options with
    {
        Roles = options.Roles with { Settings = new(StringComparer.OrdinalIgnoreCase) { ["secretive"] = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase) } },
    };
}
