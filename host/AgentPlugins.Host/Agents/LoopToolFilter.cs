using System.Globalization;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Sits between Semantic Kernel's automatic function calling and a role's tools for one role run.
/// SK calls tools from whatever thread the model's answer arrived on; this filter moves each call
/// onto the loop (role code never runs beside it), times it with the watchdog, gives the model the
/// <see cref="ToolResult"/>'s message, and keeps its intents for the host. A tool that throws becomes
/// an error message for the model and an <see cref="ErrorIntent"/>; too many rounds of calls stop the run.
/// </summary>
/// <param name="tools">What a tool that declares a <see cref="ToolContext"/> parameter gets: the run's role, origin and cancellation.</param>
internal sealed class LoopToolFilter(EventLoop loop, string role, int maxRounds, ToolContext tools, ILogger log) : IAutoFunctionInvocationFilter
{
    private readonly List<Intent> _intents = [];
    private readonly List<string> _calls = [];

    /// <summary>The intents of every tool call so far, in call order. Read after the run.</summary>
    public IReadOnlyList<Intent> Intents => _intents;

    /// <summary>The tools called so far, <c>role/tool</c>, in call order.</summary>
    public IReadOnlyList<string> Calls => _calls;

    /// <summary>True when the run was stopped because the model kept calling tools.</summary>
    public bool StoppedAtLimit { get; private set; }

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.RequestSequenceIndex >= maxRounds)
        {
            StoppedAtLimit = true;
            context.Result = new FunctionResult(context.Function, $"Error: stopped after {maxRounds} rounds of tool calls.");
            context.Terminate = true;
            return;
        }

        await loop.InvokeAsync(() => CallOnLoopAsync(context, next), context.CancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> CallOnLoopAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        var tool = ToolNames.Of(context.Function);
        var source = $"{role}/{tool}";
        _calls.Add(source);
        using var binding = context.Arguments is { } arguments ? ToolContextParameter.Bind(context.Function, arguments, tools) : default;
        Task call;
        var guard = loop.Watchdog.Guards?.Invoke(role);
        loop.Watchdog.Enter(role, tool);
        try
        {
            call = next(context);
        }
        catch (Exception ex)
        {
            call = Task.FromException(ex);
        }
        finally
        {
            loop.Watchdog.Exit();
        }

        try
        {
            // A tool quarantined while it awaits has its continuations dropped: stop waiting for it.
            if (guard is not null && await Task.WhenAny(call, guard.Quarantined).ConfigureAwait(true) != call)
            {
                throw new InvalidOperationException($"Role {role} is quarantined: {await guard.Quarantined.ConfigureAwait(true)}");
            }

            await call.ConfigureAwait(true);
        }
        catch (Exception ex) when (!context.CancellationToken.IsCancellationRequested)
        {
            log.LogError(ex, "Tool {Tool} failed.", source);
            _intents.Add(new ErrorIntent(source, ToolFailure.Message(ex), ex.ToString()));
            context.Result = new FunctionResult(context.Function, $"Error: the tool {tool} failed: {ToolFailure.Describe(ex)}");
            return false;
        }

        // The model sees the message only; intents stay with the host (and serializing them could pin the role's types).
        context.Result = context.Result.GetValue<object>() switch
        {
            ToolResult { Success: true } result => Keep(context, result, result.Message),
            ToolResult result => Keep(context, result, $"Error: {result.Message}"),
            null => new FunctionResult(context.Result, string.Empty),
            var other => new FunctionResult(context.Result, Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty),
        };
        return true;
    }

    private FunctionResult Keep(AutoFunctionInvocationContext context, ToolResult result, string forModel)
    {
        _intents.AddRange(result.Intents);
        return new FunctionResult(context.Result, forModel);
    }
}
