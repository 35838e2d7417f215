using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentPlugins.Host.Validation;
using AgentPlugins.Sdk;
using AgentPlugins.Testing;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host call ROLE_OR_FILE TOOL [ARGS...]</c>: one tool call, no running host. Loads the role as the
/// host would (compile, rules, start, its settings and HTTP client from plugins.json), calls the tool with
/// the arguments as <c>/role tool ...</c> takes them, and prints its message and intents (shown, not
/// carried out). Exit 0 when the tool succeeded, 1 when it failed, 2 on a usage error or a role that does not load.
/// </summary>
internal static class CallCommand
{
    public const int Succeeded = 0;
    public const int ToolFailed = 1;
    public const int UsageError = 2;

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var role = new Argument<string>("ROLE_OR_FILE") { Description = "A role file (roles/timer.cs) or a role name found in the roles folder (timer)" };
        var tool = new Argument<string>("TOOL") { Description = "The tool to call (set_timer or SetTimer)" };
        var arguments = new Argument<string[]>("ARGS")
        {
            Description = "The tool's arguments: positional in parameter order, then name=value (as after /role tool)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = new Option<ReportFormat>("--format") { Description = "Output: text, or json (success, message, intents with their properties)" };
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json with the roles folder and the role's settings (roles:settings:NAME, its http section and secrets), as `run` reads it (default: ./plugins.json if present)" };
        var noNetwork = new Option<bool>("--no-network") { Description = "Give the role no network: every HTTP call it makes fails, saying so" };
        var command = new Command("call", "Call one tool of a role and print its result and intents, without a running host; the role's settings and HTTP client come from plugins.json as in `run` (exit 0 ok, 1 the tool failed, 2 usage or a role that does not load).")
        {
            role, tool, arguments, format, config, noNetwork,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(role)!,
            [result.GetValue(tool)!, .. result.GetValue(arguments) ?? []],
            result.GetValue(format),
            result.GetValue(config),
            result.GetValue(noNetwork),
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs the call; what the process would print goes to <paramref name="output"/> and <paramref name="errors"/>.</summary>
    /// <param name="words">The tool, then its arguments.</param>
    public static async Task<int> RunAsync(string roleOrFile, IReadOnlyList<string> words, ReportFormat format, string? configPath, bool noNetwork, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        if (!RoleFileLookup.TryFind(roleOrFile, configPath, out var path, out var problem))
        {
            await errors.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return UsageError;
        }

        CommandRoleOptions roleOptions;
        try
        {
            roleOptions = new CommandRoleOptions(configPath, noNetwork ? "host call" : null);
        }
        catch (ConfigurationException ex)
        {
            await errors.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UsageError;
        }

        using var network = roleOptions;
        RoleHarness harness;
        try
        {
            harness = await RoleHarness.LoadAsync(path, roleOptions.For(path), cancellationToken).ConfigureAwait(false);
        }
        catch (RoleLoadException ex)
        {
            foreach (var line in ex.Problems)
            {
                await errors.WriteLineAsync(line.ToString()).ConfigureAwait(false);
            }

            await errors.WriteLineAsync($"error: {path} does not load; fix it first (host validate {path}).").ConfigureAwait(false);
            return UsageError;
        }

        using (harness)
        {
            foreach (var warning in harness.Warnings)
            {
                await errors.WriteLineAsync(warning.ToString()).ConfigureAwait(false);
            }

            ToolResult result;
            try
            {
                result = await harness.CommandAsync(words, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                await errors.WriteLineAsync($"error: {ex.Message.Split(" (Parameter '", 2)[0]}").ConfigureAwait(false);
                return UsageError;
            }

            var intents = result.Intents.Select(i => i.View()).ToList();
            if (format == ReportFormat.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new CallReport(harness.Config.Name, words[0], result.Success, result.Message, [.. intents.Select(Report)]), Indented)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(result.Success ? result.Message : $"failed: {result.Message}").ConfigureAwait(false);
                foreach (var intent in intents)
                {
                    await output.WriteLineAsync($"  intent: {intent}{(intent.IsValid ? string.Empty : "  (invalid: the host would not run it)")}").ConfigureAwait(false);
                }
            }

            return result.Success ? Succeeded : ToolFailed;
        }
    }

    private static IntentReport Report(IntentView intent) => new(
        intent.TypeName,
        intent.IsValid,
        intent.Properties.ToDictionary(p => p.Key, p => Json(p.Value), StringComparer.Ordinal));

    // Strings, numbers and booleans as JSON has them; anything else (a TimerDue, a time) as its invariant text.
    private static object? Json(object? value) => value switch
    {
        null or string or bool or int or long or double or decimal => value,
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private sealed record CallReport(string Role, string Tool, bool Success, string Message, IReadOnlyList<IntentReport> Intents);

    private sealed record IntentReport(string Type, bool Valid, IReadOnlyDictionary<string, object?> Properties);
}
