using System.Text.RegularExpressions;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// docs/rules.md, built into the host assembly so a published <c>bin/host</c> answers <c>rule_docs</c> and the dashboard's help links
/// without the repository, cut into one section per rule (<c>### AP0101: …</c>).
/// </summary>
internal static partial class RuleSections
{
    public const string ResourceName = "AgentPlugins.Host.docs.rules.md";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Sections = new(Load);

    public static IEnumerable<string> Codes => Sections.Value.Keys;

    /// <summary>Every rule's section, in the order of docs/rules.md.</summary>
    public static IEnumerable<KeyValuePair<string, string>> All => Sections.Value;

    /// <summary>The section of <paramref name="code"/> (any case), from its heading to the next heading; null when there is no such rule.</summary>
    public static string? Find(string code) =>
        Sections.Value.GetValueOrDefault(code.Trim().ToUpperInvariant());

    private static Dictionary<string, string> Load()
    {
        using var stream = typeof(RuleSections).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The host was built without its {ResourceName} resource.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        var headings = RuleHeading().Matches(text);
        for (var i = 0; i < headings.Count; i++)
        {
            var start = headings[i].Index;
            var next = text.IndexOf("\n#", start + 1, StringComparison.Ordinal);
            sections[headings[i].Groups["code"].Value] = (next < 0 ? text[start..] : text[start..next]).Trim();
        }

        return sections;
    }

    [GeneratedRegex(@"^### (?<code>AP\d{4}):", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RuleHeading();
}
