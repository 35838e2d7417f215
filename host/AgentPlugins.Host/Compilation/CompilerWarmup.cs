using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Compiles a small role once, off the loop, so Roslyn is JIT-compiled (~1 s on this machine) before
/// the first edit rather than during it. Matters most when every role came from the compile cache.
/// </summary>
internal static class CompilerWarmup
{
    private const string Source = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record WarmupIntent(string Text) : Intent
        {
            public override bool Validate() => Text.Length > 0;
        }

        public sealed class WarmupRole : IRole
        {
            public RoleConfig Config { get; } = new("warmup", "1.0.0", "Warms the compiler", WhenToUse: "never");

            public void Register(RoleBuilder role)
            {
                role.On("WARMUP", (e, context) => [new NotificationIntent(e.Type, context.Channel)]);
                role.Tools(this);
                role.Handle<WarmupIntent>((intent, context) => context.NotifyAsync(intent.Text));
            }

            [KernelFunction, Description("Echo")]
            public ToolResult Echo(string text) => ToolResult.Ok(text, new WarmupIntent(text));
        }
        """;

    /// <summary>Starts the warm-up on the thread pool; the task ends when it is done (it never throws).</summary>
    public static Task RunAsync(RoleCompiler compiler, ILogger log, CancellationToken cancellationToken = default) =>
        Task.Run(
            () =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var compiled = compiler.Compile(RoleFile.FromText(Path.Combine(Path.GetTempPath(), "agentplugins-warmup.cs"), Source), cancellationToken);
                    log.LogDebug("Roslyn warmed up in {Elapsed:F0} ms ({Outcome}).", Stopwatch.GetElapsedTime(started).TotalMilliseconds, compiled.Succeeded ? "ok" : string.Join("; ", compiled.Errors));
                }
                catch (OperationCanceledException)
                {
                    // Stopping before the warm-up ended is fine.
                }
            },
            CancellationToken.None);
}
