using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// One role file as the rules see it: its syntax, its semantic model and what it declares. Each part is
/// computed once, on first use, and shared by every rule.
/// </summary>
/// <remarks>
/// Binding is what analysis costs (the compiler binds every body again to emit it), so only members
/// that mention a word some rule looks for (<see cref="RoleRule.Triggers"/>: an API's name, <c>lock</c>,
/// <c>async</c>, <c>+=</c>, ...) are bound for <see cref="Operations"/>; in a typical role that is a few
/// members. Finding the facts the folder rules need binds only the expressions they read.
/// </remarks>
internal sealed class RoleSource
{
    // Every method a role can call on RoleBuilder, read from the SDK the host runs with, so a new kind
    // of registration (Prompt, PreProcess, ...) counts without changing the rules.
    private static readonly HashSet<string> RegistrationMethods = typeof(Sdk.RoleBuilder)
        .GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
        .Select(m => m.Name)
        .ToHashSet(StringComparer.Ordinal);

    private readonly Dictionary<ITypeSymbol, string> _fullNames = new(SymbolEqualityComparer.Default);
    private IReadOnlyList<SyntaxNode>? _nodes;
    private IReadOnlyList<DeclaredType>? _types;
    private IReadOnlyList<IOperation>? _operations;
    private IReadOnlyList<ApiUse>? _apiUses;
    private RoleRegistration? _registration;
    private RoleConfigDeclaration? _config;
    private bool _configRead;

    private readonly IReadOnlySet<string> _triggers;

    private RoleSource(SyntaxTree tree, SemanticModel model, IAssemblySymbol assembly, IReadOnlySet<string> triggers, CancellationToken cancellationToken, RoleRegistration? registration = null)
    {
        _triggers = triggers;
        _registration = registration;
        Tree = tree;
        Root = (CompilationUnitSyntax)tree.GetRoot(cancellationToken);
        Model = model;
        Assembly = assembly;
        Cancellation = cancellationToken;
    }

    public string Path => Tree.FilePath;

    public SyntaxTree Tree { get; }

    public CompilationUnitSyntax Root { get; }

    public SemanticModel Model { get; }

    /// <summary>The role's own assembly: symbols in it are the role's, everything else is the framework's, the SDK's or SK's.</summary>
    public IAssemblySymbol Assembly { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>Every syntax node of the file, walked once for all the rules that search the syntax.</summary>
    public IReadOnlyList<SyntaxNode> Nodes => _nodes ??= [.. Root.DescendantNodes()];

    /// <summary>Every type the file declares, nested ones included, in source order.</summary>
    public IReadOnlyList<DeclaredType> Types => _types ??= FindTypes();

    /// <summary>The declared types that implement <c>IRole</c>.</summary>
    public IEnumerable<DeclaredType> Roles => Types.Where(t => t.Symbol.IsRole()).DistinctBy(t => t.Symbol, SymbolEqualityComparer.Default);

    /// <summary>
    /// Every operation in the bodies, initializers and top-level statements of the members that mention
    /// a trigger word (or an alias, or a target-typed <c>new</c>, which could name anything).
    /// </summary>
    public IReadOnlyList<IOperation> Operations => _operations ??= FindOperations();

    /// <summary>Every use of a member the role did not declare.</summary>
    public IReadOnlyList<ApiUse> ApiUses => _apiUses ??= [.. Operations.Select(UseOf).OfType<ApiUse>()];

    public RoleRegistration Registration => _registration ??= FindRegistration();

    /// <summary>The first role's Config, or null when the file declares no role.</summary>
    public RoleConfigDeclaration? Config
    {
        get
        {
            if (!_configRead)
            {
                _config = FindConfig();
                _configRead = true;
            }

            return _config;
        }
    }

    /// <summary>
    /// Every member declaration of the file's types, and of the file itself (a script's top-level
    /// methods, fields and statements).
    /// </summary>
    public IEnumerable<MemberDeclarationSyntax> Members =>
        Root.Members.Concat(Types.Select(t => t.Syntax).OfType<TypeDeclarationSyntax>().SelectMany(t => t.Members));

    /// <summary>The <c>[KernelFunction]</c> methods the file declares.</summary>
    public IEnumerable<IMethodSymbol> ToolMethods =>
        Types.Select(t => t.Symbol).Distinct(SymbolEqualityComparer.Default).OfType<INamedTypeSymbol>()
            .SelectMany(t => t.GetMembers().OfType<IMethodSymbol>())
            .Where(m => m.HasKernelFunction());

    /// <summary>Builds the view of the role file in <paramref name="compilation"/> (its last syntax tree, as the compiler puts it).</summary>
    /// <param name="compilation">The role's compilation.</param>
    /// <param name="triggers">The words that make a member worth binding for <see cref="Operations"/>.</param>
    /// <param name="cancellationToken">Stops the analysis.</param>
    public static RoleSource Of(CSharpCompilation compilation, IReadOnlySet<string> triggers, CancellationToken cancellationToken = default)
    {
        var tree = compilation.SyntaxTrees[^1];
        return new RoleSource(tree, compilation.GetSemanticModel(tree), compilation.Assembly, triggers, cancellationToken);
    }

    /// <summary>
    /// Builds the view of one source file of a plugin project (<paramref name="tree"/>, one of the
    /// project's <paramref name="compilation"/>). A project registers its roles' handlers and tools from
    /// any of its files, so <paramref name="registration"/>, when given, is what the whole project registers.
    /// </summary>
    public static RoleSource Of(CSharpCompilation compilation, SyntaxTree tree, IReadOnlySet<string> triggers, RoleRegistration? registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        return new RoleSource(tree, compilation.GetSemanticModel(tree), compilation.Assembly, triggers, cancellationToken, registration);
    }

    public bool IsDeclaredHere(ISymbol symbol) => SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, Assembly);

    public string FullName(ITypeSymbol type)
    {
        if (!_fullNames.TryGetValue(type, out var name))
        {
            _fullNames[type] = name = KnownSymbols.FullName(type);
        }

        return name;
    }

    public ApiUse? UseOf(IOperation operation) => ApiUse.Of(operation, Assembly, FullName);

    /// <summary>The body of a method or local function declared in this file, or null when it has none here.</summary>
    public IOperation? BodyOf(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != Tree)
            {
                continue;
            }

            var syntax = reference.GetSyntax(Cancellation);
            var body = syntax switch
            {
                LocalFunctionStatementSyntax local => (Model.GetOperation(local, Cancellation) as ILocalFunctionOperation)?.Body,
                ArrowExpressionClauseSyntax arrow => OperationOf(arrow),
                _ => Model.GetOperation(syntax, Cancellation),
            };
            if (body is not null)
            {
                return body;
            }
        }

        return null;
    }

    private List<DeclaredType> FindTypes()
    {
        var types = new List<DeclaredType>();
        foreach (var declaration in Root.DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax).OfType<BaseTypeDeclarationSyntax>())
        {
            if (Model.GetDeclaredSymbol(declaration, Cancellation) is { } symbol)
            {
                types.Add(new DeclaredType(declaration, symbol));
            }
        }

        return types;
    }

    private List<IOperation> FindOperations()
    {
        var words = new HashSet<string>(_triggers, StringComparer.Ordinal);
        words.UnionWith(Root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
            .OfType<UsingDirectiveSyntax>()
            .Where(u => u.Alias is not null)
            .Select(u => u.Alias!.Name.Identifier.ValueText));
        var operations = new List<IOperation>();
        foreach (var root in OperationRoots(words))
        {
            Cancellation.ThrowIfCancellationRequested();
            if (OperationOf(root) is { } operation)
            {
                operations.AddRange(operation.DescendantsAndSelf());
            }
        }

        return operations;
    }

    // Where code lives: member bodies, accessors, initializers and (in scripts) top-level statements.
    // Attribute arguments and parameter defaults are constants and hold nothing the rules look for.
    private IEnumerable<SyntaxNode> OperationRoots(HashSet<string> words)
    {
        foreach (var member in Members.Where(m => Mentions(m, words)))
        {
            switch (member)
            {
                case BaseMethodDeclarationSyntax method when method.Body is not null || method.ExpressionBody is not null:
                    yield return method;
                    break;
                case BasePropertyDeclarationSyntax property:
                    foreach (var part in PropertyParts(property))
                    {
                        yield return part;
                    }

                    break;
                case BaseFieldDeclarationSyntax field:
                    foreach (var variable in field.Declaration.Variables.Where(v => v.Initializer is not null))
                    {
                        yield return variable.Initializer!;
                    }

                    break;
                case GlobalStatementSyntax statement:
                    yield return statement.Statement;
                    break;
            }
        }
    }

    private static bool Mentions(SyntaxNode member, HashSet<string> words)
    {
        foreach (var token in member.DescendantTokens())
        {
            if ((words.Contains(token.ValueText) && !OnKeywordType(token))
                || (token.IsKind(SyntaxKind.NewKeyword) && token.Parent is ImplicitObjectCreationExpressionSyntax))
            {
                return true;
            }
        }

        return false;
    }

    // `string.Join` is not `Thread.Join`: no API a rule looks for is a member of a C# keyword type.
    private static bool OnKeywordType(SyntaxToken token) =>
        token.Parent is IdentifierNameSyntax { Parent: MemberAccessExpressionSyntax { Expression: PredefinedTypeSyntax } access } name
        && access.Name == name;

    private static IEnumerable<SyntaxNode> PropertyParts(BasePropertyDeclarationSyntax property)
    {
        switch (property)
        {
            case PropertyDeclarationSyntax { ExpressionBody: { } arrow }:
                yield return arrow;
                break;
            case IndexerDeclarationSyntax { ExpressionBody: { } arrow }:
                yield return arrow;
                break;
        }

        if (property is PropertyDeclarationSyntax { Initializer: { } initializer })
        {
            yield return initializer;
        }

        foreach (var accessor in property.AccessorList?.Accessors ?? default)
        {
            if (accessor.Body is not null || accessor.ExpressionBody is not null)
            {
                yield return accessor;
            }
        }
    }

    // An expression-bodied property has no operation of its own in every Roslyn version; its expression does.
    private IOperation? OperationOf(SyntaxNode node) =>
        Model.GetOperation(node, Cancellation)
        ?? (node is ArrowExpressionClauseSyntax arrow ? Model.GetOperation(arrow.Expression, Cancellation) : null);

    // Registration calls are found by name first, so reading them binds only the methods that hold them.
    private RoleRegistration FindRegistration()
    {
        var subscriptions = new List<SubscriptionCall>();
        var tools = new List<ToolsCall>();
        var handlers = new List<IntentHandlerCall>();
        var others = new List<Location>();
        var candidates = Nodes
            .OfType<InvocationExpressionSyntax>()
            .Where(i => i.Expression is MemberAccessExpressionSyntax access && RegistrationMethods.Contains(access.Name.Identifier.ValueText));
        foreach (var candidate in candidates)
        {
            if (Model.GetOperation(candidate, Cancellation) is not IInvocationOperation { TargetMethod: var method } call
                || !method.ContainingType.IsSdk("RoleBuilder"))
            {
                continue;
            }

            switch (method.Name)
            {
                case "On" when Argument(call, "eventType") is { } eventType:
                    var handler = Argument(call, "handler");
                    subscriptions.Add(new SubscriptionCall(
                        eventType.ConstantValue.Value as string,
                        eventType.Syntax.GetLocation(),
                        (DelegateTarget(handler) as IMethodReferenceOperation)?.Method,
                        DelegateTarget(handler) as IAnonymousFunctionOperation));
                    break;
                case "Tools" when Argument(call, "tools") is { } target:
                    tools.Add(new ToolsCall(Unwrap(target)?.Type, call.Syntax.GetLocation()));
                    break;
                case "Handle" when method.TypeArguments is [var intentType]:
                    handlers.Add(new IntentHandlerCall(intentType, call.Syntax.GetLocation(), ((MemberAccessExpressionSyntax)candidate.Expression).Name.GetLocation()));
                    break;
                default:
                    others.Add(call.Syntax.GetLocation());
                    break;
            }
        }

        return new RoleRegistration(subscriptions, tools, handlers, others);
    }

    private RoleConfigDeclaration? FindConfig()
    {
        var role = Roles.FirstOrDefault()?.Symbol;
        var contract = role?.AllInterfaces.FirstOrDefault(i => i.IsSdk("IRole"))?.GetMembers("Config").FirstOrDefault();
        if (role is null || contract is null || role.FindImplementationForInterfaceMember(contract) is not IPropertySymbol property)
        {
            return null;
        }

        var syntax = property.DeclaringSyntaxReferences.Select(r => r.GetSyntax(Cancellation)).OfType<PropertyDeclarationSyntax>().FirstOrDefault();
        if (syntax is null)
        {
            return new RoleConfigDeclaration(property.Locations[0], null);
        }

        var expression = syntax.Initializer?.Value
            ?? syntax.ExpressionBody?.Expression
            ?? syntax.AccessorList?.Accessors.FirstOrDefault(a => a.ExpressionBody is not null)?.ExpressionBody!.Expression;
        var operation = expression is null ? null : Unwrap(Model.GetOperation(expression, Cancellation));
        if (operation is IInvalidOperation && expression is BaseObjectCreationExpressionSyntax)
        {
            // A `new(...)` the compiler could not bind (e.g. CS7036, WhenToUse left out): its error says what to fix.
            return null;
        }

        var creation = operation as IObjectCreationOperation;
        return new RoleConfigDeclaration(syntax.Identifier.GetLocation(), creation is { Type: var type } && type.IsSdk("RoleConfig") ? creation : null);
    }

    private static IOperation? Argument(IInvocationOperation call, string parameter) =>
        call.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter)?.Value;

    private static IOperation? DelegateTarget(IOperation? value) =>
        Unwrap(value) is IDelegateCreationOperation creation ? Unwrap(creation.Target) : Unwrap(value);

    /// <summary>Looks through implicit and explicit conversions and parentheses to the value itself.</summary>
    public static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation switch
            {
                IConversionOperation conversion => conversion.Operand,
                IParenthesizedOperation parenthesized => parenthesized.Operand,
                _ => operation,
            };
        }

        return operation;
    }
}
