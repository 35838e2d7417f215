using System.Text.RegularExpressions;
using AgentPlugins.Host.Authoring;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Roles;

/// <summary>
/// One authoring story: the template, every sample role, the README's example and docs/roles.md put a
/// role file's sections in the same order, and the code in each section is what its heading says.
/// </summary>
public sealed partial class SectionOrderTests
{
    private static readonly string[] Sections = ["Intents", "Metadata", "Registration", "Event handlers", "Tools", "Helpers", "Intent handlers"];

    public static TheoryData<string> SampleRoles => ["timer.cs", "notes.cs", "reminder.cs", "router.cs", "planner.cs", "weather.cs", "smarthome.cs"];

    [Fact]
    public void Docs_roles_md_lists_the_seven_sections_in_order()
    {
        var listed = DocsList().Matches(File.ReadAllText(Path.Combine(Repository.Root, "docs", "roles.md")))
            .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value));

        Assert.Equal(Sections.Select((title, i) => (i + 1, title)), listed);
    }

    [Fact]
    public void The_template_has_all_seven_sections_in_order_each_holding_its_code()
    {
        var source = RoleTemplate.Render("weather");

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], Headings(source).Select(h => h.Number));
        AssertCodeIsInItsSection(source);
    }

    [Fact]
    public void The_timer_role_has_all_seven_sections_in_order_each_holding_its_code()
    {
        var source = File.ReadAllText(Repository.SampleRole("timer.cs"));

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], Headings(source).Select(h => h.Number));
        AssertCodeIsInItsSection(source);
    }

    [Theory]
    [InlineData("notes.cs")]
    [InlineData("reminder.cs")]
    public void The_store_and_reminder_samples_have_their_sections_in_order_each_holding_their_code(string file)
    {
        var source = File.ReadAllText(Repository.SampleRole(file));

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], Headings(source).Select(h => h.Number));
        AssertCodeIsInItsSection(source);
    }

    [Theory]
    [MemberData(nameof(SampleRoles))]
    public void Every_sample_role_uses_the_template_headings_in_order(string file)
    {
        var headings = Headings(File.ReadAllText(Repository.SampleRole(file)));
        var template = Headings(RoleTemplate.Render("weather")).ToDictionary(h => h.Number, h => h.Text);

        Assert.NotEmpty(headings);
        Assert.Equal(headings.Select(h => h.Number).Order(), headings.Select(h => h.Number));
        Assert.All(headings, h => Assert.Equal(template[h.Number].Replace("/weather", "/" + Path.GetFileNameWithoutExtension(file), StringComparison.Ordinal), h.Text));
    }

    [Fact]
    public void The_readme_example_follows_the_same_order_with_its_code_in_place()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var example = ReadmeExample().Match(readme[readme.IndexOf("## Write a role", StringComparison.Ordinal)..]).Groups[1].Value;

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], Headings(example).Select(h => h.Number));
        AssertCodeIsInItsSection(example);
        Assert.Empty(Validation.Validate.Source(example, "greeter.cs").Select(d => d.ToString()));
    }

    [Theory]
    [MemberData(nameof(SampleRoles))]
    public void Sample_roles_stay_well_under_300_lines(string file) =>
        Assert.InRange(File.ReadAllLines(Repository.SampleRole(file)).Length, 1, 200);

    // Each kind of code sits under its own heading: records deriving from Intent before the metadata,
    // Config under 2, Register under 3, event handlers under 4, [KernelFunction]s under 5, intent
    // handlers (taking an IntentContext) under 7.
    private static void AssertCodeIsInItsSection(string source)
    {
        var lines = source.Split('\n');
        var headings = Headings(source);
        int SectionOf(int line) => headings.LastOrDefault(h => h.Line <= line)?.Number ?? 0;
        IEnumerable<int> LinesWith(Regex pattern) => lines.Select((text, i) => (text, i)).Where(l => pattern.IsMatch(l.text)).Select(l => l.i);

        Assert.All(LinesWith(IntentRecord()), line => Assert.Equal(1, SectionOf(line)));
        Assert.All(LinesWith(ConfigProperty()), line => Assert.Equal(2, SectionOf(line)));
        Assert.All(LinesWith(RegisterMethod()), line => Assert.Equal(3, SectionOf(line)));
        Assert.All(LinesWith(EventHandler()), line => Assert.Equal(4, SectionOf(line)));
        Assert.All(LinesWith(Tool()), line => Assert.Equal(5, SectionOf(line)));
        Assert.All(LinesWith(IntentHandler()), line => Assert.Equal(7, SectionOf(line)));
        Assert.NotEmpty(LinesWith(IntentRecord()));
        Assert.NotEmpty(LinesWith(Tool()));
        Assert.NotEmpty(LinesWith(IntentHandler()));
    }

    private static List<Section> Headings(string source)
    {
        var headings = source.Split('\n')
            .Select((text, line) => (Match: Heading().Match(text), Line: line))
            .Where(h => h.Match.Success)
            .Select(h => new Section(int.Parse(h.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), h.Match.Groups[2].Value.TrimEnd(' ', '─'), h.Line))
            .ToList();
        Assert.All(headings, h => Assert.StartsWith(Sections[h.Number - 1] + ":", h.Text.Replace(" this role owns", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal));
        return headings;
    }

    private sealed record Section(int Number, string Text, int Line);

    [GeneratedRegex(@"^\s*// ── ([1-7])\. (.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^([1-7])\. \*\*([^*]+)\*\*", RegexOptions.Multiline)]
    private static partial Regex DocsList();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeExample();

    [GeneratedRegex(@"record \w+\(?.*: Intent\b")]
    private static partial Regex IntentRecord();

    [GeneratedRegex(@"RoleConfig Config\b")]
    private static partial Regex ConfigProperty();

    [GeneratedRegex(@"void Register\(RoleBuilder")]
    private static partial Regex RegisterMethod();

    [GeneratedRegex(@"IEnumerable<Intent> \w+\(BusEvent")]
    private static partial Regex EventHandler();

    [GeneratedRegex(@"\[KernelFunction")]
    private static partial Regex Tool();

    [GeneratedRegex(@"Task \w+\(\w+ intent, IntentContext context\)")]
    private static partial Regex IntentHandler();
}
