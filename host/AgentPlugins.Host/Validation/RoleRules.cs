using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation.Rules.Contract;
using AgentPlugins.Host.Validation.Rules.Events;
using AgentPlugins.Host.Validation.Rules.Purity;
using AgentPlugins.Host.Validation.Rules.SingleLoop;
using AgentPlugins.Host.Validation.Rules.Size;
using AgentPlugins.Host.Validation.Rules.Tools;
using AgentPlugins.Host.Validation.Rules.UnloadSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// Every role rule, and the two ways to run them: per file (on every compile, so the loader and
/// <c>host validate</c> check alike) and per folder (validate only).
/// </summary>
internal static class RoleRules
{
    private static readonly DiagnosticDescriptor RuleFailed = new(
        "AP0000", "A rule could not check the file", "Rule {0} could not check this file: {1}", RuleCategory.Contract,
        DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: RuleDescriptor.HelpBase + "ap0000");

    public static IReadOnlyList<RoleRule> PerFile { get; } =
    [
        new OneRolePerFile(),
        new RegisterDeclaresSomething(),
        new ConfigName(),
        new ConfigVersion(),
        new ConfigTexts(),
        new IntentHasHandler(),
        new IntentValidates(),
        new NoSdkIntentHandlers(),
        new NoStubs(),
        new NoWorkOffTheLoop(),
        new NoTimers(),
        new NoBlocking(),
        new NoLocks(),
        new NoAsyncVoid(),
        new NoMutableStatics(),
        new NoMutableRoleState(),
        new NoStaticEvents(),
        new NoDynamic(),
        new NoTypeDescriptor(),
        new NoNewtonsoftJson(),
        new NoOwnHttpClients(),
        new ToolSignatureTypes(),
        new NoIoInEventHandlers(),
        new NoClockInEventHandlers(),
        new NoRandomnessInEventHandlers(),
        new ToolDescription(),
        new ToolParameterDescription(),
        new ToolNames(),
        new ToolReturnsToolResult(),
        new ToolsRegistered(),
        new ToolsDoNotWriteTheStore(),
        new RoleSize(),
    ];

    /// <summary>
    /// The per-file rules that hold for the source files of a compiled plugin: all but those about a
    /// role being one file (exactly one role per file, the file's length), which a project does not follow.
    /// </summary>
    public static IReadOnlyList<RoleRule> PerProjectFile { get; } = [.. PerFile.Where(r => r is not OneRolePerFile and not RoleSize)];

    public static IReadOnlyList<FolderRule> PerFolder { get; } =
    [
        new UniqueNames(),
        new PublishedEvents(),
    ];

    /// <summary>The words that make a member worth binding for any per-file rule.</summary>
    public static IReadOnlySet<string> Triggers { get; } = PerFile.SelectMany(r => r.Triggers).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every rule's descriptor, by code.</summary>
    public static IEnumerable<DiagnosticDescriptor> Descriptors =>
        PerFile.Select(r => r.Descriptor).Concat(PerFolder.Select(r => r.Descriptor)).OrderBy(d => d.Id, StringComparer.Ordinal);

    /// <summary>The rules as the check every host compile runs (<see cref="RoleCompiler"/>): their diagnostics only.</summary>
    public static IReadOnlyList<RoleDiagnostic> Check(CSharpCompilation compilation, CancellationToken cancellationToken) =>
        Analyze(compilation, cancellationToken).Diagnostics;

    /// <summary>Runs the per-file rules on the role file in <paramref name="compilation"/>.</summary>
    public static RoleAnalysis Analyze(CSharpCompilation compilation, CancellationToken cancellationToken = default) =>
        Analyze(RoleSource.Of(compilation, Triggers, cancellationToken), PerFile, cancellationToken);

    /// <summary>Runs <paramref name="rules"/> on one source file (a role file, or a file of a plugin project).</summary>
    public static RoleAnalysis Analyze(RoleSource role, IReadOnlyList<RoleRule> rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(rules);
        var report = new RuleReport();
        if (SyntaxErrors.In(role.Tree, cancellationToken))
        {
            // What the rules would find in a file cut off mid-method follows from the cut; its syntax errors are what it shows.
            return new RoleAnalysis([], RoleFacts.Of(role));
        }

        foreach (var rule in rules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                rule.Check(role, report);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A rule's own bug must not stop a role from loading; it is shown, and the other rules still run.
                report.Add(RuleFailed, Location.Create(role.Tree, new TextSpan(0, 0)), rule.Descriptor.Id, $"{ex.GetType().Name}: {ex.Message}");
            }
        }

        return new RoleAnalysis(report.Diagnostics, RoleFacts.Of(role));
    }

    /// <summary>Runs the folder rules over the facts of every role file in one folder.</summary>
    public static IReadOnlyList<RoleDiagnostic> AnalyzeFolder(IReadOnlyList<RoleFacts> folder)
    {
        var report = new RuleReport();
        foreach (var rule in PerFolder)
        {
            rule.Check(folder, report);
        }

        // A file that does not parse is reported by its syntax errors alone; what it declares still counts for its neighbours.
        var unparsed = folder.Where(f => !f.Parses).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return [.. report.Diagnostics.Where(d => !unparsed.Contains(d.Path))];
    }
}
