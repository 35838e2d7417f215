using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// One request to a model, made off the loop: the HTTP call, JSON work and SK's function-calling
/// rounds run on the thread pool, and the caller resumes on the loop. A failure comes back as a
/// message naming the key to look at, never as an exception, so every caller reports it the same way.
/// </summary>
internal static class ModelCall
{
    public static async Task<(ChatMessageContent? Answer, string? Error)> AskAsync(
        IChatCompletionService chat,
        ModelTier tier,
        ChatHistory history,
        PromptExecutionSettings settings,
        Kernel? kernel,
        CancellationToken cancellationToken)
    {
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var answer = await Task.Run(() => chat.GetChatMessageContentAsync(history, settings, kernel, cancellationToken), cancellationToken).ConfigureAwait(true);
            Telemetry.HostMetrics.ModelCallDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return (answer, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, ModelFailure.Describe(ex, tier));
        }
    }

    /// <summary>
    /// Asks for one JSON object and reads it with <paramref name="parse"/>. An answer that does not
    /// parse is shown to the model with the error and asked for once more; a second miss is reported.
    /// </summary>
    public static async Task<(T? Value, string? Error)> AskJsonAsync<T>(
        IChatCompletionService chat,
        ModelTier tier,
        ChatHistory history,
        Func<string, (T? Value, string Error)> parse,
        CancellationToken cancellationToken)
        where T : class
    {
        var settings = new PromptExecutionSettings();
        var (first, failure) = await AskAsync(chat, tier, history, settings, kernel: null, cancellationToken).ConfigureAwait(true);
        if (failure is not null)
        {
            return (null, failure);
        }

        var (value, firstError) = parse(first!.Content ?? string.Empty);
        if (value is not null)
        {
            return (value, null);
        }

        history.AddAssistantMessage(first.Content ?? string.Empty);
        history.AddUserMessage($"That answer does not match the schema: {firstError} Answer again with only the corrected JSON object.");
        var (second, retryFailure) = await AskAsync(chat, tier, history, settings, kernel: null, cancellationToken).ConfigureAwait(true);
        if (retryFailure is not null)
        {
            return (null, retryFailure);
        }

        (value, var secondError) = parse(second!.Content ?? string.Empty);
        return value is not null ? (value, null) : (null, $"answered with invalid JSON twice (first: {firstError} Then: {secondError})");
    }
}
