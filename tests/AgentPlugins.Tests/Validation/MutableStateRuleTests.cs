using Microsoft.CodeAnalysis;

namespace AgentPlugins.Tests.Validation;

/// <summary>
/// AP0201 (static state) and AP0207 (state on the role instance): what holds a value that changes
/// between calls is caught, at its line; constants and read-only tables of immutable values are not.
/// </summary>
public sealed class MutableStateRuleTests
{
    [Theory]
    [InlineData("private static readonly byte[][] Buffers = new byte[4][];", "byte[][]")]
    [InlineData("private static readonly string[] Words = [\"a\", \"b\"];", "string[]")]
    [InlineData("private static readonly IReadOnlyList<byte[]> Chunks = [new byte[1]];", "byte[]")]
    [InlineData("private static readonly IReadOnlyDictionary<string, List<int>> ByUser = new Dictionary<string, List<int>>();", "List<int>")]
    [InlineData("private static readonly Lazy<HashSet<string>> Seen = new(() => []);", "HashSet<string>")]
    [InlineData("private static readonly IList<string> Names = new List<string>();", "IList<string>")]
    [InlineData("private static readonly System.IO.MemoryStream Log = new();", "MemoryStream")]
    [InlineData("private static readonly (string Name, int[] Counts) Pair = (\"a\", new int[3]);\n    private static int Total => Pair.Counts.Length;", "int[]")]
    [InlineData("private static List<string> Names { get; } = [];", "List<string>")]
    public void A_static_readonly_value_that_is_or_holds_an_array_or_mutable_collection_is_state(string member, string mutable)
    {
        var source = RoleText.With(members: member);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0201", DiagnosticSeverity.Error, RoleText.LineOf(source, member)), (found.Code, found.Severity, found.Line));
        Assert.Contains($"the {mutable} it holds can change", found.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("private static readonly IReadOnlyDictionary<int, string> Cache = new Dictionary<int, string>();", "((Dictionary<int, string>)Cache)[slot] = new string('x', 1000);", "Dictionary<int, string>")]
    [InlineData("private static readonly IReadOnlyList<string> Seen = new List<string>();", "(Seen as List<string>)!.Add(\"x\");", "List<string>")]
    [InlineData("private static readonly object Box = new List<byte>();", "if (Box is List<byte> bytes) { bytes.Add(1); }", "List<byte>")]
    [InlineData("private static readonly IEnumerable<int> All = new HashSet<int>();", "if (All is HashSet<int> { Count: < 10 } set) { set.Add(slot); }", "HashSet<int>")]
    public void A_read_only_static_cast_back_to_its_mutable_type_is_state_where_it_is_cast(string member, string statement, string mutable)
    {
        var source = RoleText.With(members: $$"""
            {{member}}

            [KernelFunction("keep"), Description("Keep something")]
            public ToolResult Keep([Description("Which slot")] int slot)
            {
                {{statement}}
                return ToolResult.Ok("kept");
            }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0201", RoleText.LineOf(source, statement)), (found.Code, found.Line));
        Assert.Contains($"but cast back to {mutable} here", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_test_that_keeps_no_reference_is_not_a_cast_back()
    {
        var source = RoleText.With(members: """
            private static readonly IReadOnlyList<string> Words = ["a"];

            [KernelFunction("kind"), Description("Say what the table is")]
            public ToolResult Kind() => ToolResult.Ok(Words is List<string> ? "list" : "other");
            """);

        Assert.Empty(Validate.Source(source));
    }

    [Fact]
    public void A_read_only_role_field_cast_back_to_its_mutable_type_is_state()
    {
        var source = RoleText.With(members: """
            private readonly IReadOnlyList<string> _notes = new List<string>();

            [KernelFunction("note"), Description("Keep a note")]
            public ToolResult Note([Description("The note")] string text)
            {
                ((List<string>)_notes).Add(text);
                return ToolResult.Ok("noted");
            }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0207", RoleText.LineOf(source, "((List<string>)_notes)")), (found.Code, found.Line));
        Assert.Contains("Field _notes of the role is cast to List<string> in Note, which can change", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Immutable_lookup_tables_computed_properties_and_delegates_are_not_state()
    {
        var source = RoleText.With(
            top: "using System.Collections.Frozen;\nusing System.Collections.Immutable;",
            members: """
                private static readonly IReadOnlyList<string> Greetings = ["hi", "hello"];
                private static readonly IReadOnlyDictionary<string, int> Units = new Dictionary<string, int> { ["s"] = 1 };
                private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Aliases = new Dictionary<string, IReadOnlyList<string>> { ["s"] = ["sec"] };
                private static readonly ImmutableArray<string> Days = ["mon", "tue"];
                private static readonly FrozenDictionary<string, int> Codes = new Dictionary<string, int> { ["a"] = 1 }.ToFrozenDictionary();
                private static readonly FrozenSet<string> Words = new[] { "a" }.ToFrozenSet();
                private static readonly Func<List<int>> Fresh = () => [];
                private static List<string> Defaults => ["x"];
                private static readonly (string Name, int Count) Pair = ("a", 1);

                [KernelFunction("show"), Description("Show the tables")]
                public ToolResult Show() => ToolResult.Ok($"{Greetings.Count} {Units.Count} {Aliases.Count} {Days.Length} {Codes.Count} {Words.Count} {Fresh().Count} {Defaults.Count} {Pair.Name}");
                """);

        Assert.Empty(Validate.Source(source));
    }

    [Theory]
    [InlineData("_count++;", "private int _count;")]
    [InlineData("--_count;", "private int _count;")]
    [InlineData("_count += 2;", "private int _count;")]
    [InlineData("this._count = 5;", "private int _count;")]
    [InlineData("_last ??= \"first\";", "private string? _last;")]
    [InlineData("(_count, var other) = (1, \"x\");", "private int _count;")]
    [InlineData("Interlocked.Increment(ref _count);", "private int _count;")]
    [InlineData("int.TryParse(\"4\", out _count);", "private int _count;")]
    [InlineData("Last = \"x\";", "public string Last { get; set; } = \"\";")]
    [InlineData("Action later = () => _count = 1; later();", "private int _count;")]
    public void A_role_field_or_auto_property_assigned_outside_the_constructor_is_state(string statement, string fields)
    {
        var source = RoleText.With(members: $$"""
            {{fields}}

            [KernelFunction("work"), Description("Do the work")]
            public ToolResult Work()
            {
                {{statement}}
                return ToolResult.Ok("done");
            }
            """);

        // A field that is only written is also the compiler's warning CS0414; the rule's finding is the one error.
        var found = Assert.Single(Validate.Source(source), d => d.IsError);

        Assert.Equal(("AP0207", DiagnosticSeverity.Error, RoleText.LineOf(source, statement)), (found.Code, found.Severity, found.Line));
        Assert.Contains("of the role is assigned in Work, outside its constructor", found.Message, StringComparison.Ordinal);
        Assert.Contains("the role's durable store (context.Store)", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_written_in_several_places_is_reported_once_at_the_first()
    {
        var source = RoleText.With(members: """
            private int _count;

            [KernelFunction("up"), Description("Count up")]
            public ToolResult Up() => ToolResult.Ok((++_count).ToString(System.Globalization.CultureInfo.InvariantCulture));

            [KernelFunction("reset"), Description("Start again")]
            public ToolResult Reset() { _count = 0; return ToolResult.Ok("reset"); }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0207", RoleText.LineOf(source, "++_count")), (found.Code, found.Line));
    }

    [Fact]
    public void Fields_set_in_the_constructor_or_their_initializer_to_immutable_values_are_not_state()
    {
        var source = RoleText.With(
            members: """
                private readonly string _prefix = "note:";
                private readonly TimeSpan _step;
                private int _limit;
                private readonly IReadOnlyList<string> _words = ["a"];

                public ProbeRole()
                {
                    _step = TimeSpan.FromSeconds(2);
                    _limit = 3;
                    _limit += 1;
                }

                [KernelFunction("show"), Description("Show the settings")]
                public ToolResult Show() => ToolResult.Ok($"{_prefix} {_step} {_limit} {_words.Count}");
                """);

        Assert.Empty(Validate.Source(source));
    }

    [Theory]
    [InlineData("private readonly List<string> _notes = [];", "a List<string>")]
    [InlineData("private readonly Dictionary<string, int> _counts = new();", "a Dictionary<string, int>")]
    [InlineData("private readonly int[] _slots = new int[8];", "a int[]")]
    [InlineData("private readonly IReadOnlyList<byte[]> _chunks = [];", "a byte[]")]
    [InlineData("public HashSet<string> Seen { get; } = [];", "a HashSet<string>")]
    public void A_role_field_that_is_or_holds_a_mutable_collection_is_state_even_readonly(string member, string held)
    {
        var source = RoleText.With(members: member);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0207", RoleText.LineOf(source, member)), (found.Code, found.Line));
        Assert.Contains($"of the role holds {held}, which can change", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_collection_field_that_is_also_assigned_is_reported_once()
    {
        var source = RoleText.With(members: """
            private List<string> _notes = [];

            [KernelFunction("clear"), Description("Forget the notes")]
            public ToolResult Clear() { _notes = []; return ToolResult.Ok("cleared"); }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0207", RoleText.LineOf(source, "_notes = [];")), (found.Code, found.Line));
    }

    [Fact]
    public void A_lambda_made_in_the_constructor_runs_later_so_its_assignment_is_state()
    {
        var source = RoleText.With(members: """
            private readonly Action _bump;
            private int _count;

            public ProbeRole()
            {
                _bump = () => _count++;
            }
            """);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0207", RoleText.LineOf(source, "_count++")), (found.Code, found.Line));
    }

    [Fact]
    public void Other_classes_in_the_file_and_locals_are_not_the_role_s_state()
    {
        var source = RoleText.With(
            top: "internal sealed class Tally { private int _n; private readonly List<int> _all = []; public int Add(int x) { _all.Add(x); return _n += x; } }",
            members: """
                [KernelFunction("sum"), Description("Add numbers up")]
                public ToolResult Sum([Description("Numbers")] int[] numbers)
                {
                    var tally = new Tally();
                    var total = 0;
                    foreach (var n in numbers)
                    {
                        total = tally.Add(n);
                    }

                    return ToolResult.Ok(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                """);

        Assert.Empty(Validate.Source(source));
    }

    [Fact]
    public void A_static_field_is_reported_by_ap0201_only()
    {
        var source = RoleText.With(members: "private static int _count;\n    private static int Next() => ++_count;");

        Assert.Equal(["AP0201"], Validate.Source(source).Select(d => d.Code));
    }
}
