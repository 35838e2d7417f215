using System.Collections;
using System.CommandLine;
using System.Text;
using AgentPlugins.Sdk;
using AgentPlugins.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host repl</c>: a C# prompt (Roslyn scripting) with the test kit's <see cref="ReplGlobals"/>: load a
/// role, call its tools, raise events, run intents against recording fakes, with its settings and HTTP
/// client from plugins.json as <c>host call</c> gives them. Reads standard input until it ends or
/// <c>#exit</c>; a line that does not finish a statement waits for the next. Exit 0 (2: plugins.json unreadable).
/// </summary>
internal static class ReplCommand
{
    private const string Prompt = "> ";
    private const string More = "... ";

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json to find roles by name in, with their settings (roles:settings:NAME, its http section and secrets), as `run` reads it (default: ./plugins.json if present)" };
        var noNetwork = new Option<bool>("--no-network") { Description = "Give the roles no network: every HTTP call they make fails, saying so" };
        var command = new Command("repl", "An interactive C# prompt to load a role, call its tools, raise events and look at intents (#help inside); a role's settings and HTTP client come from plugins.json as in `run`. Short-lived by design: compiled code is never unloaded.")
        {
            config, noNetwork,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(config), result.GetValue(noNetwork), Console.In, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string? configPath, bool noNetwork, TextReader input, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        CommandRoleOptions roleOptions;
        try
        {
            roleOptions = new CommandRoleOptions(configPath, noNetwork ? "host repl" : null);
        }
        catch (ConfigurationException ex)
        {
            await errors.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        using var network = roleOptions;
        using var globals = new ReplGlobals(
            roleOrFile => RoleFileLookup.TryFind(roleOrFile, configPath, out var path, out var error)
                ? path
                : throw new ArgumentException(error, nameof(roleOrFile)),
            roleOptions.For);
        var options = ScriptOptions.Default
            .WithReferences(typeof(IRole).Assembly, typeof(RoleHarness).Assembly, typeof(KernelFunction).Assembly, typeof(FakeTimeProvider).Assembly)
            .WithImports("System", "System.Linq", "System.Collections.Generic", "System.Threading.Tasks", "AgentPlugins.Sdk", "AgentPlugins.Testing");
        ScriptState<object>? state = null;
        await output.WriteLineAsync("AgentPlugins C# prompt. #help for what it can do, #exit or Ctrl-D to leave.").ConfigureAwait(false);
        var code = new StringBuilder();
        while (!cancellationToken.IsCancellationRequested)
        {
            await output.WriteAsync(code.Length == 0 ? Prompt : More).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                break;
            }

            var trimmed = line.Trim();
            if (code.Length == 0)
            {
                if (trimmed is "#exit" or "#quit")
                {
                    break;
                }

                if (trimmed is "#help" or "help")
                {
                    await output.WriteLineAsync(ReplGlobals.Help).ConfigureAwait(false);
                    continue;
                }

                if (trimmed.StartsWith("#load", StringComparison.Ordinal))
                {
                    // A role file, not a script: #load re-reads it through the kit, the way Load(...) does.
                    var path = trimmed["#load".Length..].Trim().Trim('"');
                    await ShowAsync(output, () => Task.FromResult<object?>(Describe(globals.Load(path)))).ConfigureAwait(false);
                    continue;
                }

                if (trimmed.Length == 0)
                {
                    continue;
                }
            }

            code.AppendLine(line);
            var submission = code.ToString();
            if (!SyntaxFactory.IsCompleteSubmission(SyntaxFactory.ParseSyntaxTree(submission, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script), cancellationToken: cancellationToken)))
            {
                continue;
            }

            code.Clear();
            await ShowAsync(output, async () =>
            {
                var next = state is null
                    ? await CSharpScript.RunAsync(submission, options, globals, typeof(ReplGlobals), cancellationToken).ConfigureAwait(false)
                    : await state.ContinueWithAsync(submission, options, cancellationToken).ConfigureAwait(false);
                state = next;
                return next.ReturnValue;
            }).ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        return 0;
    }

    // Runs one submission and prints its value; an error is printed and the prompt goes on.
    private static async Task ShowAsync(TextWriter output, Func<Task<object?>> run)
    {
        try
        {
            var value = await run().ConfigureAwait(false);
            if (value is not null)
            {
                await output.WriteLineAsync(Format(value)).ConfigureAwait(false);
            }
        }
        catch (CompilationErrorException ex)
        {
            foreach (var diagnostic in ex.Diagnostics)
            {
                await output.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }
        }
        catch (RoleLoadException ex)
        {
            await output.WriteLineAsync(ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await output.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
        }
    }

    private static string Describe(RoleHarness role)
    {
        var text = new StringBuilder($"Loaded {role.Config.Name} {role.Config.Version} from {role.Path}");
        if (role.Registration.Tools.Count > 0)
        {
            text.Append($"; tools: {string.Join(", ", role.Registration.Tools.Select(t => t.Name))}");
        }

        if (role.Registration.Events.Count > 0)
        {
            text.Append($"; events: {string.Join(", ", role.Registration.Events)}");
        }

        if (role.Registration.IntentTypes.Count > 0)
        {
            text.Append($"; intents: {string.Join(", ", role.Registration.IntentTypes)}");
        }

        foreach (var warning in role.Warnings)
        {
            text.AppendLine().Append(warning);
        }

        return text.ToString();
    }

    private static string Format(object value) => value switch
    {
        RoleHarness role => Describe(role),
        ToolResult result => string.Join(Environment.NewLine, [result.Success ? result.Message : $"failed: {result.Message}", .. result.Intents.Select(i => $"  intent: {i.View()}")]),
        Intent intent => intent.View().ToString(),
        string text => text,
        IEnumerable items => string.Join(Environment.NewLine, items.Cast<object?>().Select(i => i is null ? "null" : Format(i)).DefaultIfEmpty("(none)")),
        _ => value.ToString() ?? string.Empty,
    };
}
