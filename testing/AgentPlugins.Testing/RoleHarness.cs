using System.Reflection;
using AgentPlugins.Host;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Http;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Validation;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Testing;

/// <summary>
/// One role, loaded for a test the way the host loads it, with no host running: the role file is read,
/// compiled and checked by the host's own compiler and role rules (a file that would not load fails
/// here with the same diagnostics), then started in a collectible context of its own. Raise events
/// and get their intents, call tools by name as a model would, run intent handlers against recording
/// fakes (clock, timers, notifications, published events, log) and the host's own store (a temporary
/// one) and HTTP clients (over a handler the test scripts), and look at what the role registered.
/// Works from any test framework. Dispose it to unload the role and delete its store.
/// </summary>
public sealed class RoleHarness : IDisposable
{
    private static readonly Lazy<RoleCompiler> Compiler = new(() => new RoleCompiler(ReferenceSet.Default, RoleRules.Check), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly RoleLoadContext? _context;
    private readonly ActivatedRole _role;
    private readonly HarnessRecorders _recorders = new();
    private readonly Kernel _kernel = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly RoleSettings _settings;
    private readonly TemporaryStore _store;
    private readonly NoNetwork? _noNetwork;
    private readonly HarnessHttp _http;
    private bool _disposed;

    private RoleHarness(string path, RoleLoadContext? context, ActivatedRole role, RoleHarnessOptions options, IReadOnlyList<RoleProblem> warnings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.StoreQuotaKilobytes, nameof(options));
        _settings = ResolveSettings(path, role.Config.Name, options);
        Path = path;
        _context = context;
        _role = role;
        Options = options;
        Warnings = warnings;
        Timers = new RecordingTimers(options.Clock, options.TimeZone);
        Registration = Describe(role);
        _store = new TemporaryStore(options.StoreQuotaKilobytes * 1024L, options.Clock);
        Store = new HarnessStore(_store, role.Config.Name, options, _lifetime.Token);
        _noNetwork = options.Http is null ? new NoNetwork() : null;
        _http = new HarnessHttp(options.Http ?? _noNetwork!);
    }

    /// <summary>The role file (full path), or the assembly a compiled role came from.</summary>
    public string Path { get; }

    public RoleHarnessOptions Options { get; }

    /// <summary>The role's config, as the host read it.</summary>
    public RoleConfig Config => _role.Config;

    /// <summary>What the role registered: events, tools with their descriptions, intent types, prompt.</summary>
    public RoleRegistration Registration { get; }

    /// <summary>The warnings the file loaded with (the host logs them and loads it).</summary>
    public IReadOnlyList<RoleProblem> Warnings { get; }

    /// <summary>The clock every call sees; advance it to move time.</summary>
    public FakeTimeProvider Clock => Options.Clock;

    /// <summary>
    /// The role's durable store, as its <c>context.Store</c> sees it: the host's own store on a temporary
    /// file, deleted with the harness. Seed values before a call; read what a handler stored after.
    /// </summary>
    public HarnessStore Store { get; }

    /// <summary>The role's settings as its calls read them (variables and files resolved, secrets hidden by <c>ToString</c>).</summary>
    public RoleSettings Settings => _settings;

    /// <summary>The timers intent handlers set, listed and cancelled.</summary>
    public RecordingTimers Timers { get; }

    /// <summary>What intent handlers sent with <c>NotifyAsync</c>, in order.</summary>
    public IReadOnlyList<SentNotification> Notifications => _recorders.Notifications;

    /// <summary>The events intent handlers published with <c>Publish</c>, in order.</summary>
    public IReadOnlyList<BusEvent> Published => _recorders.Published;

    /// <summary>What role code wrote to <c>context.Log</c>.</summary>
    public IReadOnlyList<LogEntry> Log => _recorders.Log;

    /// <summary>Loads the role file at <paramref name="path"/>; see <see cref="RoleHarness"/>.</summary>
    /// <exception cref="RoleLoadException">The host would not load it; the message lists the diagnostics with file, line and column.</exception>
    public static async Task<RoleHarness> LoadAsync(string path, RoleHarnessOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);

        // Read as the host reads a roles folder: regular files only, links kept inside the file's folder, size and text checked.
        var read = await RoleFileReader.ReadAsync(fullPath, System.IO.Path.GetDirectoryName(fullPath), cancellationToken).ConfigureAwait(false);
        return read.Kind switch
        {
            RoleFileReadKind.Gone => throw new RoleLoadException(fullPath, [new RoleProblem(fullPath, 1, 1, true, RoleFileCodes.Unreadable, "Cannot read the role file: it does not exist.")]),
            RoleFileReadKind.Empty or RoleFileReadKind.Problem => throw new RoleLoadException(fullPath, [Problem(read.Diagnostic!)]),
            _ => Start(read.File!, options ?? new RoleHarnessOptions(), cancellationToken),
        };
    }

    /// <summary>Loads a role from source text, as if saved at <paramref name="path"/> (a test's inline role).</summary>
    /// <exception cref="RoleLoadException">The host would not load it.</exception>
    public static RoleHarness FromSource(string source, string path = "role.cs", RoleHarnessOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Start(RoleFile.FromText(path, source), options ?? new RoleHarnessOptions(), cancellationToken);
    }

    /// <summary>
    /// A role already compiled (a compiled plugin's, or one in the test project): started and registered
    /// as the host starts one (config rules, tool signatures, tools). The role rules read source, so they do not run.
    /// </summary>
    /// <exception cref="RoleLoadException">The host would not start it.</exception>
    public static RoleHarness FromRole(IRole role, RoleHarnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(role);
        var assembly = role.GetType().Assembly;
        var path = string.IsNullOrEmpty(assembly.Location) ? assembly.GetName().Name ?? "role" : assembly.Location;
        try
        {
            return new RoleHarness(path, null, RoleActivator.Activate(role, assembly, path), options ?? new RoleHarnessOptions(), []);
        }
        catch (RoleLoadFailedException ex)
        {
            throw new RoleLoadException(path, [.. ex.Diagnostics.Select(Problem)]);
        }
    }

    /// <summary>
    /// Raises <paramref name="busEvent"/> to the role's handlers for its type, in registration order, and
    /// returns their intents. A handler that throws gives an <see cref="ErrorIntent"/>, as on the host's bus.
    /// </summary>
    /// <param name="context">Where the event comes from; default: the options' channel and user, now on the clock, source <c>test</c>.</param>
    public IReadOnlyList<Intent> Raise(BusEvent busEvent, EventContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(busEvent);
        ObjectDisposedException.ThrowIf(_disposed, this);
        context ??= Origin("test");
        var intents = new List<Intent>();
        foreach (var subscription in _role.Registration.Subscriptions.Where(s => s.EventType == busEvent.Type))
        {
            try
            {
                intents.AddRange(subscription.Handler(busEvent, context) ?? []);
            }
            catch (Exception ex)
            {
                intents.Add(new ErrorIntent($"{Config.Name}/{subscription.HandlerName}", $"{ex.GetType().Name} on {busEvent.Type}: {ex.Message}", ex.ToString()));
            }
        }

        return intents;
    }

    /// <summary>Raises an event of <paramref name="eventType"/> with <paramref name="data"/> (keys and values as strings); see <see cref="Raise(BusEvent, EventContext?)"/>.</summary>
    public IReadOnlyList<Intent> Raise(string eventType, IReadOnlyDictionary<string, string>? data = null, EventContext? context = null) =>
        Raise(data is null ? new BusEvent(eventType) : new BusEvent(eventType, data), context);

    /// <summary>
    /// Calls the tool <paramref name="tool"/> (<c>set_timer</c> or <c>SetTimer</c>) with arguments by name, as a
    /// model does (<c>new { duration = "5m", label = "tea" }</c> or a dictionary; strings are converted to the
    /// parameter types as Semantic Kernel converts a model's). A tool that throws gives a failed result
    /// naming the cause and an <see cref="ErrorIntent"/>, as in the host.
    /// </summary>
    /// <exception cref="ArgumentException">No such tool, an unknown parameter or a required one missing (a mistake in the test).</exception>
    public Task<ToolResult> CallToolAsync(string tool, object? arguments = null, CancellationToken cancellationToken = default)
    {
        var function = FindTool(tool);
        if (!ToolCall.TryBind(function, Arguments(arguments), out var bound, out var error))
        {
            throw new ArgumentException($"{error} Usage: {Usage(function)}", nameof(arguments));
        }

        return InvokeAsync(function, bound, cancellationToken);
    }

    /// <summary>
    /// Calls a tool the way a user types it after <c>/role</c>: <c>set_timer 5m label=tea</c> (positional
    /// arguments in parameter order, then <c>name=value</c>; quotes keep spaces).
    /// </summary>
    /// <exception cref="ArgumentException">The line does not name a tool of the role, or its arguments do not fit.</exception>
    public Task<ToolResult> CommandAsync(string line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!DirectCommand.TryParse($"/{Config.Name} {line}", out var command, out var error))
        {
            throw new ArgumentException(error, nameof(line));
        }

        return CommandAsync(command!, cancellationToken);
    }

    /// <summary>
    /// Calls a tool with arguments already split, as a shell passes them: <paramref name="words"/> is the
    /// tool, then positional arguments, then <c>name=value</c> ones (what <c>host call</c> does).
    /// </summary>
    /// <exception cref="ArgumentException">The words do not name a tool of the role, or its arguments do not fit.</exception>
    public Task<ToolResult> CommandAsync(IReadOnlyList<string> words, CancellationToken cancellationToken = default)
    {
        if (!DirectCommand.TryFromWords(Config.Name, words, out var command, out var error))
        {
            throw new ArgumentException(error, nameof(words));
        }

        return CommandAsync(command!, cancellationToken);
    }

    /// <summary>
    /// Runs the role's handler for <paramref name="intent"/> against the harness's recorders: timers go to
    /// <see cref="Timers"/>, <c>NotifyAsync</c> to <see cref="Notifications"/>, <c>Publish</c> to
    /// <see cref="Published"/>, the clock is <see cref="Clock"/>. An exception from the handler reaches the test.
    /// </summary>
    /// <param name="origin">Where the intent came from; default: the options' channel and user.</param>
    /// <exception cref="InvalidOperationException">The intent is invalid (the host would not run it) or the role does not handle its type.</exception>
    public async Task HandleAsync(Intent intent, EventContext? origin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!intent.Validate())
        {
            throw new InvalidOperationException($"{intent.View()} is invalid (its Validate() is false): the host counts and reports it, and never runs it.");
        }

        var registration = _role.Registration.IntentHandlers.FirstOrDefault(h => h.IntentType == intent.GetType())
            ?? throw new InvalidOperationException(intent.GetType().Assembly == typeof(Intent).Assembly
                ? $"{intent.GetType().Name} is carried out by the host, not by a role; a role handles only its own intent types."
                : $"Role '{Config.Name}' has no handler for {intent.GetType().Name}. It handles: {(Registration.IntentTypes.Count == 0 ? "none" : string.Join(", ", Registration.IntentTypes))}.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, cancellationToken);
        var context = new HarnessIntentContext(Scope(origin ?? Origin("test"), linked.Token), _recorders);
        await registration.Handler(intent, context).ConfigureAwait(false);
    }

    /// <summary>Runs every intent the role handles in <paramref name="intents"/> (from <see cref="Raise(BusEvent, EventContext?)"/> or a tool), in order; the host's own intents are returned, not run.</summary>
    public async Task<IReadOnlyList<Intent>> HandleAllAsync(IEnumerable<Intent> intents, EventContext? origin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intents);
        var left = new List<Intent>();
        foreach (var intent in intents)
        {
            if (_role.Registration.IntentHandlers.Any(h => h.IntentType == intent.GetType()))
            {
                await HandleAsync(intent, origin, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                left.Add(intent);
            }
        }

        return left;
    }

    /// <summary>Makes an intent of the role's own type <paramref name="typeName"/> with constructor <paramref name="arguments"/> (the test cannot name the type in code).</summary>
    /// <exception cref="ArgumentException">The role has no such intent type, or no constructor takes these arguments.</exception>
    public Intent NewIntent(string typeName, params object?[] arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        var type = _role.Assembly.GetTypes().FirstOrDefault(t => t.Name == typeName && typeof(Intent).IsAssignableFrom(t))
            ?? throw new ArgumentException($"The role declares no intent type '{typeName}'. It declares: {string.Join(", ", _role.Assembly.GetTypes().Where(t => typeof(Intent).IsAssignableFrom(t)).Select(t => t.Name))}.", nameof(typeName));
        try
        {
            return (Intent)Activator.CreateInstance(type, arguments)!;
        }
        catch (MissingMethodException)
        {
            var constructors = type.GetConstructors().Select(c => $"{type.Name}({string.Join(", ", c.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))})");
            throw new ArgumentException($"No constructor of {type.Name} takes ({string.Join(", ", arguments.Select(a => a?.GetType().Name ?? "null"))}). It has: {string.Join("; ", constructors)}.", nameof(arguments));
        }
    }

    /// <summary>Runs the role's pre-processor (<c>role.PreProcess</c>) for <paramref name="request"/> and returns the text it adds to the prompt.</summary>
    /// <exception cref="InvalidOperationException">The role has no pre-processor.</exception>
    public async Task<string> PreProcessAsync(string request, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var hook = _role.Registration.PreProcessor ?? throw new InvalidOperationException($"Role '{Config.Name}' registers no pre-processor.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, cancellationToken);
        return await hook(new HarnessPromptContext(Scope(Origin("test", request), linked.Token), request, parameters ?? new Dictionary<string, string>())).ConfigureAwait(false);
    }

    /// <summary>Runs the role's post-processor (<c>role.PostProcess</c>) on a model's <paramref name="answer"/> to <paramref name="request"/>.</summary>
    /// <exception cref="InvalidOperationException">The role has no post-processor.</exception>
    public async Task<string> PostProcessAsync(string answer, string request, CancellationToken cancellationToken = default)
    {
        var hook = _role.Registration.PostProcessor ?? throw new InvalidOperationException($"Role '{Config.Name}' registers no post-processor.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, cancellationToken);
        return await hook(answer, new HarnessPromptContext(Scope(Origin("test", request), linked.Token), request, new Dictionary<string, string>())).ConfigureAwait(false);
    }

    /// <summary>Forgets the notifications, published events and log lines recorded so far (timers stay).</summary>
    public void ClearRecorded() => _recorders.Clear();

    /// <summary>Cancels what still runs and unloads the role's context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lifetime.Cancel();
        _lifetime.Dispose();
        _http.Dispose();
        _noNetwork?.Dispose();
        _store.Dispose();
        _context?.Unload();
    }

    private static RoleHarness Start(RoleFile file, RoleHarnessOptions options, CancellationToken cancellationToken)
    {
        var compiled = Compiler.Value.Compile(file, cancellationToken);
        var problems = compiled.Diagnostics.Select(Problem).Select(p => options.Strict ? p with { IsError = true } : p).ToList();
        if (!compiled.Succeeded || problems.Any(p => p.IsError))
        {
            throw new RoleLoadException(file.Path, problems);
        }

        var context = new RoleLoadContext($"test:{System.IO.Path.GetFileName(file.Path)}");
        try
        {
            var role = RoleActivator.Activate(context, compiled.Assembly!, compiled.Pdb, file.Path);
            return new RoleHarness(file.Path, context, role, options, problems);
        }
        catch (RoleLoadFailedException ex)
        {
            context.Unload();
            throw new RoleLoadException(file.Path, [.. ex.Diagnostics.Select(Problem)]);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    private Task<ToolResult> CommandAsync(DirectCommand command, CancellationToken cancellationToken)
    {
        if (command.Tool is null)
        {
            throw new ArgumentException($"Name a tool of role '{Config.Name}': {(Registration.Tools.Count == 0 ? "it has none" : string.Join(", ", Registration.Tools.Select(t => t.Name)))}.", nameof(command));
        }

        var function = FindTool(command.Tool);
        if (!ToolCall.TryBind(function, command.Positional, command.Named, out var bound, out var error))
        {
            throw new ArgumentException($"{error} Usage: {Usage(function)}", nameof(command));
        }

        return InvokeAsync(function, bound, cancellationToken);
    }

    private static RoleProblem Problem(RoleDiagnostic d) => new(d.Path, d.Line, d.Column, d.Severity == DiagnosticSeverity.Error, d.Code, d.Message);

    private static RoleRegistration Describe(ActivatedRole role) => new(
        [.. role.Registration.Subscriptions.Select(s => s.EventType)],
        [.. role.Tools.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => new ToolInfo(
            ToolNames.Of(f),
            f.Description,
            [.. f.Metadata.Parameters.Select(p => new ToolParameterInfo(p.Name, p.Description, p.IsRequired, p.ParameterType?.Name, p.DefaultValue))]))],
        [.. role.Registration.IntentHandlers.Select(h => h.IntentType.Name)],
        role.Registration.Instructions,
        role.Registration.PreProcessor is not null,
        role.Registration.PostProcessor is not null);

    private static IEnumerable<KeyValuePair<string, object?>> Arguments(object? arguments) => arguments switch
    {
        null => [],
        IEnumerable<KeyValuePair<string, object?>> named => named,
        IEnumerable<KeyValuePair<string, string>> texts => texts.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)),
        _ => arguments.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => new KeyValuePair<string, object?>(p.Name, p.GetValue(arguments))),
    };

    private static string Usage(KernelFunction function) =>
        $"{ToolNames.Of(function)} {string.Join(' ', function.Metadata.Parameters.Select(p => p.IsRequired ? $"<{p.Name}>" : $"[{p.Name}]"))}".TrimEnd();

    private KernelFunction FindTool(string tool)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ToolCall.Find(_role.Tools, tool)
            ?? throw new ArgumentException($"Role '{Config.Name}' has no tool '{tool}'. Its tools: {(Registration.Tools.Count == 0 ? "none" : string.Join(", ", Registration.Tools.Select(t => t.Name)))}.", nameof(tool));
    }

    // A tool that takes a ToolContext gets one on the harness's fakes, as the host gives it its services.
    private async Task<ToolResult> InvokeAsync(KernelFunction function, KernelArguments arguments, CancellationToken cancellationToken)
    {
        using var binding = ToolContextParameter.Bind(function, arguments, new ToolContext(Scope(Origin("test"), _lifetime.Token, readOnlyHttp: true)));
        return await ToolCall.InvokeAsync(_kernel, function, arguments, $"{Config.Name}/{ToolNames.Of(function)}", cancellationToken).ConfigureAwait(false);
    }

    private EventContext Origin(string source, string? prompt = null) => new(Options.Channel, Options.User, Clock.GetUtcNow(), source, prompt);

    // As the host's IntentServices.Scope: a tool's HTTP client only reads.
    private RoleScope Scope(EventContext origin, CancellationToken cancellation, bool readOnlyHttp = false) =>
        new(Config.Name, origin, _settings, Clock, _recorders.Logger, Timers, () => _http.Create(Config.Name, _settings, readOnlyHttp), cancellation) { Store = _store };

    // As the host reads roles:settings:NAME when a role loads: variables and files resolved, the http section checked.
    private static RoleSettings ResolveSettings(string path, string role, RoleHarnessOptions options)
    {
        var environment = options.Environment;
        try
        {
            var settings = RoleSecrets.Resolve(
                role,
                options.Settings,
                options.SettingsFolder ?? Directory.GetCurrentDirectory(),
                environment is null ? System.Environment.GetEnvironmentVariable : name => environment.GetValueOrDefault(name));
            RoleHttpOptions.Read(role, settings);
            return settings;
        }
        catch (ConfigurationException ex)
        {
            throw new RoleLoadFailedException([RoleDiagnostic.Error(path, LoadCodes.InvalidSettings, ex.Message)]);
        }
    }
}
