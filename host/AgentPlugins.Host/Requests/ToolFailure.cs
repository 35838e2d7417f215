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
    /// <summary>
    /// One line for the requester: <c>timed out: The request was canceled due to the configured
    /// HttpClient.Timeout of 10 seconds elapsing.</c>, or <c>HttpRequestException: Connection refused (127.0.0.1:9)</c>.
    /// </summary>
    public static string Describe(Exception exception)
    {
        var (cause, message) = Find(exception);
        return cause is TimeoutException ? $"timed out: {message}" : $"{cause.GetType().Name}: {message}";
    }

    /// <summary>What <see cref="Describe"/> says, without the exception's type (for an <c>ErrorIntent</c>'s message).</summary>
    public static string Message(Exception exception) => Find(exception).Message;

    private static (Exception Cause, string Message) Find(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var chain = new List<Exception>();
        for (var current = exception; current is not null && chain.Count < 16; current = current is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : current.InnerException)
        {
            chain.Add(current);
        }

        var timeout = chain.FindIndex(e => e is TimeoutException);
        if (timeout >= 0)
        {
            // HttpClient says what timed out (and after how long) on the cancellation that wraps its TimeoutException.
            var message = timeout > 0 && chain[timeout - 1] is OperationCanceledException { Message.Length: > 0 } wrapper && wrapper is not KernelFunctionCanceledException
                ? wrapper.Message
                : chain[timeout].Message;
            return (chain[timeout], message);
        }

        // A wrapper adds nothing but its own name; the first exception under the wrappers is the cause.
        var cause = chain.FirstOrDefault(e => e is not (KernelException or KernelFunctionCanceledException or TargetInvocationException or AggregateException)) ?? chain[^1];
        return (cause, cause.Message);
    }
}
