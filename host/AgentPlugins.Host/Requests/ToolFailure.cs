using System.Reflection;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Requests;

/// <summary>
/// Why a tool call failed, in words for its requester. Semantic Kernel wraps what a tool threw
/// (<c>KernelFunctionCanceledException ... canceled</c> for an HTTP timeout), so the cause is dug
/// out of the wrappers: a timeout anywhere in the chain is named as one, else the innermost exception.
/// </summary>
internal static class ToolFailure
{
    /// <summary>The exception that says what went wrong: a <see cref="TimeoutException"/> in the chain, else the innermost one under the wrappers.</summary>
    public static Exception Cause(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception? timeout = null;
        var current = exception;
        var innermost = exception;
        for (var depth = 0; current is not null && depth < 16; depth++)
        {
            timeout ??= current as TimeoutException;
            innermost = current;
            current = current is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : current.InnerException;
        }

        if (timeout is not null)
        {
            return timeout;
        }

        // A wrapper adds nothing but its own name; an exception that carries its own message is the cause.
        current = exception;
        while (current is KernelException or TargetInvocationException or AggregateException && current.InnerException is { } inner)
        {
            current = inner;
        }

        return current is OperationCanceledException && innermost is not OperationCanceledException ? innermost : current;
    }

    /// <summary>One line for the requester: <c>TimeoutException: The request was canceled due to the configured HttpClient.Timeout of 10 seconds elapsing.</c></summary>
    public static string Describe(Exception exception)
    {
        var cause = Cause(exception);
        return cause is TimeoutException
            ? $"timed out: {cause.Message}"
            : $"{cause.GetType().Name}: {cause.Message}";
    }
}
