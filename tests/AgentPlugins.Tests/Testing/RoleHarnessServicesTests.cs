using System.Net;
using AgentPlugins.Sdk;
using AgentPlugins.Testing;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Testing;

// The host services the kit gives role code: the host's own store on a temporary file (with its quota
// and its read-only rule outside intent handlers) and the host's own HTTP client over the test's handler
// (settings' http section, allow-list, read-only tools), settings read as plugins.json's.
public sealed class RoleHarnessServicesTests : IDisposable
{
    private const string Keeper = """
        using System.ComponentModel;
        using System.Net.Http;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record KeepIntent(string Key, string Value) : Intent
        {
            public override bool Validate() => Key.Length > 0;
        }

        public sealed class KeeperRole : IRole
        {
            public RoleConfig Config { get; } = new("keeper", "1.0.0", "Keeps values", "Keep a value");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                role.Handle<KeepIntent>(ProcessKeep);
            }

            [KernelFunction("peek"), Description("Reads a role-wide value")]
            public async Task<ToolResult> Peek([Description("The key")] string key, ToolContext context) =>
                ToolResult.Ok(await context.Store.Role.GetAsync<string>(key) ?? "(none)");

            // The write hides in a helper, past rule AP0406, so the store's own refusal shows.
            [KernelFunction("poke"), Description("Writes from a tool, which the host refuses")]
            public async Task<ToolResult> Poke([Description("The key")] string key, ToolContext context)
            {
                await Keep(context.Store.Role, key);
                return ToolResult.Ok("written");
            }

            private static Task Keep(StoreScope scope, string key) => scope.SetAsync(key, "from a tool");

            [KernelFunction("post"), Description("Posts from a tool, which the host refuses")]
            public async Task<ToolResult> Post(ToolContext context)
            {
                using var response = await context.Http.PostAsync("things", new StringContent("x"));
                return ToolResult.Ok(((int)response.StatusCode).ToString());
            }

            [KernelFunction("get"), Description("Reads a path of the API")]
            public async Task<ToolResult> Get([Description("The path or URL")] string path, ToolContext context) =>
                ToolResult.Ok(await context.Http.GetStringAsync(path));

            private static async Task ProcessKeep(KeepIntent intent, IntentContext context)
            {
                await context.Store.Role.SetAsync(intent.Key, intent.Value);
                using var response = await context.Http.PostAsync("things", new StringContent(intent.Value));
                await context.NotifyAsync($"kept {intent.Key}, API said {(int)response.StatusCode}");
            }
        }
        """;

    private readonly ScriptedHttp _api = new ScriptedHttp()
        .Answer(HttpMethod.Post, "/v1/things", HttpStatusCode.Created)
        .Answer(HttpMethod.Get, "/v1/hello", _ => ScriptedHttp.Response(HttpStatusCode.OK, "\"hi\""));

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task A_handler_writes_the_store_a_tool_reads_it_and_the_test_seeds_and_reads_it()
    {
        using var keeper = Load();
        await keeper.Store.Role.SetAsync("seeded", "by the test");
        Assert.Equal("by the test", (await keeper.CommandAsync("peek seeded")).Message);

        await keeper.HandleAsync(keeper.NewIntent("KeepIntent", "colour", "green"));

        Assert.Equal("green", (await keeper.CommandAsync("peek colour")).Message);
        Assert.Equal("green", await keeper.Store.Role.GetAsync<string>("colour"));
        Assert.Equal("kept colour, API said 201", Assert.Single(keeper.Notifications).Message);
    }

    [Fact]
    public async Task A_tool_that_writes_the_store_is_refused_as_in_the_host()
    {
        using var keeper = Load();

        var result = await keeper.CommandAsync("poke colour");

        Assert.False(result.Success);
        Assert.Contains("Role keeper: the store is read-only in a tool (writing 'colour'); return an intent", result.Message, StringComparison.Ordinal);
        Assert.Null(await keeper.Store.Role.GetAsync<string>("colour"));
    }

    [Fact]
    public async Task A_write_past_the_quota_is_refused_and_the_store_file_goes_with_the_harness()
    {
        var keeper = Load(new RoleHarnessOptions { Http = _api, Settings = Api, StoreQuotaKilobytes = 1 });
        await keeper.HandleAsync(keeper.NewIntent("KeepIntent", "small", "fits"));
        var refusal = await Assert.ThrowsAsync<StoreQuotaException>(() => keeper.HandleAsync(keeper.NewIntent("KeepIntent", "big", new string('x', 2000))));
        Assert.StartsWith("Role keeper: storing 'big' (2 KB) would take the role's store to 2 KB, over its quota of 1 KB", refusal.Message, StringComparison.Ordinal);
        Assert.Equal("fits", await keeper.Store.Role.GetAsync<string>("small"));

        var files = Directory.GetDirectories(Path.GetTempPath(), "agentplugins-harness-*").Where(d => File.Exists(Path.Combine(d, "store.db"))).ToList();
        keeper.Dispose();

        Assert.Contains(files, d => !Directory.Exists(d));
    }

    [Fact]
    public async Task A_tool_only_reads_over_http_and_a_handler_may_post()
    {
        using var keeper = Load();

        var post = await keeper.CommandAsync("post");
        Assert.False(post.Success);
        Assert.Contains("Role 'keeper': a tool only reads (GET, HEAD), so POST http://api.test/v1/things was not sent", post.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Requests);

        Assert.Equal("\"hi\"", (await keeper.CommandAsync("get hello")).Message);
        await keeper.HandleAsync(keeper.NewIntent("KeepIntent", "k", "v"));
        Assert.Equal([HttpMethod.Get, HttpMethod.Post], _api.Requests.Select(r => r.Method));
        Assert.Equal("v", _api.Requests[^1].Body);
    }

    [Fact]
    public async Task A_host_off_the_allow_list_is_refused_before_anything_is_sent()
    {
        using var keeper = Load();

        var result = await keeper.CommandAsync("get http://elsewhere.test/x");

        Assert.False(result.Success);
        Assert.Contains("Role 'keeper' may not call host 'elsewhere.test' (GET http://elsewhere.test/x): it is not in roles:settings:keeper:http:allowedHosts (api.test).", result.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Settings_come_as_plugins_json_gives_them_headers_files_and_variables_included()
    {
        using var folder = new TempFolder();
        folder.Write("secret.txt", "  from-a-file \n");
        var settings = new Dictionary<string, string>(Api)
        {
            ["http:headers:X-Key"] = "k1",
            ["passwordFile"] = "secret.txt",
            ["userVariable"] = "KEEPER_USER",
        };
        using var keeper = Load(new RoleHarnessOptions { Http = _api, Settings = settings, SettingsFolder = folder.Path, Environment = new Dictionary<string, string> { ["KEEPER_USER"] = "ana" } });

        Assert.Equal(("from-a-file", "ana"), (keeper.Settings["password"], keeper.Settings["USER"]));
        Assert.DoesNotContain("from-a-file", keeper.Settings.ToString(), StringComparison.Ordinal);
        await keeper.CommandAsync("get hello");
        Assert.Single(_api.Requests);
    }

    [Theory]
    [InlineData("http:timeout", "soon", "'roles:settings:keeper:http:timeout' = 'soon' must be a time span")]
    [InlineData("http:baseAddress", "ftp://api.test/", "'roles:settings:keeper:http:baseAddress' = 'ftp://api.test/' is not an absolute http(s) address")]
    [InlineData("tokenFile", "no-such-file.txt", "setting 'tokenFile' names the file")]
    public void A_setting_the_host_would_refuse_fails_the_load_naming_the_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string>(Api) { [key] = value };

        var failure = Assert.Throws<RoleLoadException>(() => RoleHarness.FromSource(Keeper, options: new RoleHarnessOptions { Settings = settings }));

        var problem = Assert.Single(failure.Problems);
        Assert.Equal("AP1014", problem.Code);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Api => new()
    {
        ["http:baseAddress"] = "http://api.test/v1/",
        ["http:allowedHosts"] = "api.test",
    };

    private RoleHarness Load(RoleHarnessOptions? options = null) =>
        RoleHarness.FromSource(Keeper, options: options ?? new RoleHarnessOptions { Http = _api, Settings = Api });
}
