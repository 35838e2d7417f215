using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Tests.Validation;

/// <summary>The rules on the cases around their fixtures: what they must catch, where, and what they must leave alone.</summary>
public sealed class RuleTests
{
    [Fact]
    public void A_clean_role_has_no_diagnostics() =>
        Assert.Empty(Validate.Source(RoleText.With()));

    [Fact]
    public void A_second_role_in_a_file_is_reported_at_its_name()
    {
        var source = RoleText.With(top: "public sealed class OtherRole : IRole { public RoleConfig Config => new(\"other\", \"1.0.0\", \"d\", WhenToUse: \"w\"); public void Register(RoleBuilder role) => role.Tools(this); }");

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0001", RoleText.LineOf(source, "class ProbeRole")), (found.Code, found.Line));
        Assert.Contains("ProbeRole is a second IRole", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_that_is_not_a_new_role_config_cannot_be_checked_and_is_an_error()
    {
        var source = RoleText.With(members: "private static RoleConfig Make() => new(\"probe\", \"1.0.0\", \"d\", WhenToUse: \"w\");")
            .Replace("public RoleConfig Config { get; } = new(Name: \"probe\", Version: \"1.0.0\", Description: \"Probe\", WhenToUse: \"Tests\");", "public RoleConfig Config => Make();", StringComparison.Ordinal);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal("AP0003", found.Code);
        Assert.Contains("constant values", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Io_in_a_helper_an_event_handler_calls_is_reported_where_it_happens_naming_the_handler()
    {
        var source = RoleText.With(
            register: "role.On(Events.HeartbeatTick, OnTick);",
            members: """
                private static IEnumerable<Intent> OnTick(BusEvent e, EventContext context) => [new NotificationIntent(Read())];

                private static string Read() => System.IO.File.ReadAllText("/etc/hostname");
                """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0301", RoleText.LineOf(source, "File.ReadAllText")), (found.Code, found.Line));
        Assert.Contains("OnTick calls Read, which uses File.ReadAllText", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lambda_event_handler_is_pure_too()
    {
        var source = RoleText.With(register: "role.On(Events.HeartbeatTick, (e, c) => [new NotificationIntent(Environment.MachineName)]);");

        Assert.Equal(["AP0301"], Codes(source));
    }

    [Fact]
    public void Io_and_the_clock_are_allowed_outside_event_handlers()
    {
        var source = RoleText.With(members: """
            [KernelFunction("now"), Description("Say the time")]
            public ToolResult Now() => ToolResult.Ok(DateTime.Now.ToString("t", System.Globalization.CultureInfo.InvariantCulture) + Environment.NewLine);
            """);

        Assert.Empty(Validate.Source(source));
    }

    [Theory]
    [InlineData("System.Threading.Thread.Sleep(10);", "AP0103")]
    [InlineData("new System.Threading.Thread(() => { }).Start();", "AP0101")]
    [InlineData("System.Threading.ThreadPool.QueueUserWorkItem(_ => { });", "AP0101")]
    [InlineData("Task.Factory.StartNew(() => 1);", "AP0101")]
    [InlineData("System.Threading.Tasks.Parallel.For(0, 2, _ => { });", "AP0101")]
    [InlineData("Task.Delay(1).Wait();", "AP0103")]
    [InlineData("Task.Delay(1).GetAwaiter().GetResult();", "AP0103")]
    [InlineData("System.Threading.Monitor.Enter(this);", "AP0104")]
    [InlineData("_ = TimeProvider.System.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.Zero);", "AP0102")]
    [InlineData("_ = System.ComponentModel.TypeDescriptor.GetProperties(this);", "AP0204")]
    [InlineData("AppDomain.CurrentDomain.ProcessExit += (_, _) => { };", "AP0202")]
    [InlineData("Action a = async () => await Task.Yield(); a();", "AP0105")]
    public void Each_forbidden_call_is_caught_once_by_its_rule(string statement, string code)
    {
        var source = RoleText.With(members: $$"""
            [KernelFunction("work"), Description("Do the work")]
            public ToolResult Work()
            {
                {{statement}}
                return ToolResult.Ok("done");
            }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal((code, RoleText.LineOf(source, statement)), (found.Code, found.Line));
    }

    [Fact]
    public void Configure_await_false_resumes_off_the_loop()
    {
        var source = RoleText.With(members: """
            [KernelFunction("later"), Description("Answer later")]
            public async Task<ToolResult> LaterAsync()
            {
                await Task.Yield();
                await Task.Delay(1).ConfigureAwait(false);
                return ToolResult.Ok("later");
            }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0101", RoleText.LineOf(source, "ConfigureAwait")), (found.Code, found.Line));
    }

    [Fact]
    public void Thread_join_blocks_and_string_join_does_not()
    {
        var source = RoleText.With(members: """
            private static string Words(string[] words) => string.Join(" ", words);

            private static void Finish(System.Threading.Thread worker) => worker.Join();
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0103", RoleText.LineOf(source, "worker.Join")), (found.Code, found.Line));
    }

    [Fact]
    public void A_validate_that_returns_a_named_constant_checks_nothing_either()
    {
        var source = RoleText.With(
            top: "public sealed record NoteIntent(string Text) : Intent { private const bool Fine = true; public override bool Validate() => Fine; }",
            register: "role.Handle<NoteIntent>((intent, context) => context.NotifyAsync(intent.Text));");

        Assert.Equal(["AP0008"], Codes(source));
    }

    [Fact]
    public void An_aliased_type_is_still_recognised()
    {
        var source = RoleText.With(
            top: "using Sleeper = System.Threading.Thread;",
            members: "private static void Nap() => Sleeper.Sleep(1);");

        Assert.Equal(["AP0103"], Codes(source));
    }

    [Fact]
    public void A_timer_made_with_target_typed_new_is_recognised()
    {
        var source = RoleText.With(members: """
            private static System.Threading.Timer Arm() => new(_ => { }, null, 1000, 1000);
            """);

        Assert.Equal(["AP0102"], Codes(source));
    }

    [Fact]
    public void Static_readonly_collections_and_arrays_are_state_and_immutable_statics_are_not()
    {
        var source = RoleText.With(members: """
            private const int Limit = 3;
            private static readonly string[] Words = ["a", "b"];
            private static readonly TimeSpan Step = TimeSpan.FromSeconds(Limit);
            private static readonly IReadOnlyDictionary<string, int> Units = new Dictionary<string, int> { ["s"] = 1, ["m"] = 60 };
            private static readonly List<string> Seen = [];
            private static string Last { get; set; } = "";
            """);

        var found = Validate.Source(source);

        Assert.Equal(
            [("AP0201", RoleText.LineOf(source, "Words")), ("AP0201", RoleText.LineOf(source, "Seen")), ("AP0201", RoleText.LineOf(source, "Last"))],
            found.Select(d => (d.Code, d.Line)));
    }

    [Fact]
    public void Tool_results_and_parameters_may_use_bcl_values_and_sdk_types_but_not_role_types()
    {
        var source = RoleText.With(
            top: "public sealed record Reading(double Value);",
            members: """
                [KernelFunction("ok"), Description("Fine types")]
                public Task<ToolResult> Ok([Description("When")] DateTimeOffset when, [Description("How long")] TimeSpan? span, [Description("Tags")] IReadOnlyList<string> tags, [Description("Urgency")] Priority priority, CancellationToken cancellationToken) => Task.FromResult(ToolResult.Ok("ok"));

                [KernelFunction("bad"), Description("A role type")]
                public ToolResult Bad([Description("Readings")] List<Reading> readings) => ToolResult.Ok("bad");
                """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0206", RoleText.LineOf(source, "List<Reading>")), (found.Code, found.Line));
        Assert.Contains("Reading, a type the role defines", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_async_tool_is_named_without_its_async_suffix_as_semantic_kernel_does()
    {
        var source = RoleText.With(members: """
            [KernelFunction, Description("Ping again")]
            public Task<ToolResult> PingAsync() => Task.FromResult(ToolResult.Ok("pong"));
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal("AP0403", found.Code);
        Assert.StartsWith("Tool name 'Ping' is already the name of tool method Ping;", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_a_neighbour_publishes_is_not_reported_and_a_misspelt_one_gets_a_suggestion()
    {
        using var folder = new Support.TempFolder();
        var publisher = folder.Write("publisher.cs", RoleText.With(
            name: "publisher",
            register: "role.On(Events.HeartbeatTick, (e, c) => [new WorkflowIntent(\"x\", \"y\")]);",
            members: "private static BusEvent Make() => new(\"ORDER_PLACED\");"));
        var listener = folder.Write("listener.cs", RoleText.With(
            name: "listener",
            register: "role.On(\"ORDER_PLACED\", (e, c) => []); role.On(\"ORDER_PLACD\", (e, c) => []);"));

        var found = Assert.Single(Validate.Files([listener]).Diagnostics);

        Assert.Equal(("AP0601", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning), (found.Code, found.Severity));
        Assert.Contains("did you mean 'ORDER_PLACED'?", found.Message, StringComparison.Ordinal);
        Assert.Empty(Validate.Files([publisher]).Diagnostics);
    }

    [Fact]
    public void A_script_role_follows_the_same_rules()
    {
        var source = RoleText.With(members: "private static int _count;\n    private static int Next() => ++_count;");

        var found = Assert.Single(Validate.Source(source, "probe.csx"));

        Assert.Equal(("AP0201", RoleText.LineOf(source, "_count")), (found.Code, found.Line));
    }

    [Fact]
    public void Rule_errors_keep_a_role_from_being_emitted_and_warnings_do_not()
    {
        var compiler = new RoleCompiler(ReferenceSet.Default, Host.Validation.RoleRules.Check);

        var broken = compiler.Compile(Host.Compilation.RoleFile.FromText("probe.cs", RoleText.With(members: "private static int _count;")));
        var warned = compiler.Compile(Host.Compilation.RoleFile.FromText("probe.cs", RoleText.With(members: new string('\n', 300))));

        Assert.False(broken.Succeeded);
        Assert.Equal(["AP0201"], broken.Errors.Select(e => e.Code));
        Assert.True(warned.Succeeded);
        Assert.Equal(["AP0501"], warned.Diagnostics.Select(d => d.Code));
    }

    private static string[] Codes(string source) => [.. Validate.Source(source).Select(d => d.Code)];
}
