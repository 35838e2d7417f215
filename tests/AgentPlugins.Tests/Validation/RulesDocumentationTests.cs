using AgentPlugins.Host.Validation;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>Every rule code has its section in docs/rules.md, which is where its diagnostics' helpUri points.</summary>
public sealed class RulesDocumentationTests
{
    [Fact]
    public void Every_rule_has_a_section_and_a_row_in_docs_rules_md()
    {
        var rules = File.ReadAllText(Path.Combine(Repository.Root, "docs", "rules.md"));

        foreach (var rule in RoleRules.Descriptors)
        {
            var anchor = rule.HelpLinkUri[RuleDescriptor.HelpBase.Length..];
            Assert.Contains($"<a id=\"{anchor}\"></a>\n### {rule.Id}: {rule.Title}", rules, StringComparison.Ordinal);
            Assert.Contains($"| [{rule.Id}](#{anchor}) | {rule.DefaultSeverity.ToString().ToLowerInvariant()} | {rule.Title}", rules, StringComparison.Ordinal);
        }
    }
}
