using System.Threading.Channels;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Storage;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Audit;

/// <summary>
/// The durable audit log. Records are queued on the loop and written in batches by one writer off the
/// loop, so a slow disk never holds the loop. A batch that cannot be written (a full or read-only
/// disk, a file locked by another program) is kept and retried with back-off, in order, with one log
/// line when writing starts failing and one when it works again.
/// </summary>
internal sealed class AuditLog : IAsyncDisposable
{
    /// <summary>Records held in memory while the store fails; beyond this the oldest are dropped, counted and logged.</summary>
    public const int MaxKept = 100_000;

    private const int BatchLimit = 1000;
    private const int MaxErrorDetails = 4096;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly Channel<AuditRecord> _queue = Channel.CreateUnbounded<AuditRecord>(new() { SingleReader = true });
    private readonly IAuditStore _store;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private Task? _writer;
    private long _kept;
    private long _dropped;

    public AuditLog(string databasePath, ILogger<AuditLog> log)
        : this(new SqliteAuditStore(databasePath), TimeProvider.System, log)
    {
    }

    /// <param name="clock">Times the retries.</param>
    public AuditLog(IAuditStore store, TimeProvider clock, ILogger<AuditLog> log)
    {
        _store = store;
        _clock = clock;
        _log = log;
    }

    public string Path => _store.Path;

    /// <summary>Records waiting to be written again after a failed write.</summary>
    public long Kept => Interlocked.Read(ref _kept);

    /// <summary>Records dropped because more than <see cref="MaxKept"/> waited while the store failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// The host's routes for <see cref="AuditIntent"/> (appended) and <see cref="ErrorIntent"/> (logged
    /// and appended as an <c>error</c> record).
    /// </summary>
    public void RouteAudits(IntentProcessor intents)
    {
        ArgumentNullException.ThrowIfNull(intents);
        intents.RouteHost(typeof(AuditIntent), new IntentRoute("audit", "append", (intent, origin) =>
        {
            var audit = (AuditIntent)intent;
            Append(new AuditRecord(intent.CreatedAt, origin.Producer, audit.Action, audit.Details, audit.User));
            return Task.CompletedTask;
        }));
        intents.RouteHost(typeof(ErrorIntent), new IntentRoute("errors", "report", (intent, origin) =>
        {
            var error = (ErrorIntent)intent;
            _log.LogError("Error from {Source}: {Message}", error.Source, error.Message);

            // The details (a stack trace naming the role file and line) are what a user needs to fix it; kept, but bounded.
            var details = error.Details is { Length: > 0 } trace ? $"{Environment.NewLine}{(trace.Length > MaxErrorDetails ? trace[..MaxErrorDetails] : trace)}" : string.Empty;
            Append(new AuditRecord(intent.CreatedAt, origin.Producer, "error", $"{error.Source}: {error.Message}{details}", origin.Context.User));
            return Task.CompletedTask;
        }));
    }

    /// <summary>Creates the file or tables if needed and starts the writer.</summary>
    /// <exception cref="StorageException">The store is damaged, foreign, newer or cannot be created.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        await _store.OpenAsync(cancellationToken).ConfigureAwait(false);
        _writer = Task.Run(WriteAsync, CancellationToken.None);
    }

    /// <summary>Queues a record; it is on disk shortly after, and before <see cref="DisposeAsync"/> returns.</summary>
    public void Append(AuditRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            throw new InvalidOperationException("The audit log is closed.");
        }
    }

    /// <summary>The newest records, newest last.</summary>
    public IReadOnlyList<AuditRecord> ReadLatest(int count) => _store.ReadLatest(count);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }

        _store.Dispose();
    }

    private async Task WriteAsync()
    {
        var pending = new List<AuditRecord>();
        var retry = FirstRetry;
        var failing = false;
        var reader = _queue.Reader;
        while (pending.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var record))
            {
                pending.Add(record);
            }

            if (pending.Count > MaxKept)
            {
                var excess = pending.Count - MaxKept;
                pending.RemoveRange(0, excess);
                Interlocked.Add(ref _dropped, excess);
                _log.LogError("{Count} audit record(s) dropped: more than {Max} were waiting for {Path} to accept writes.", excess, MaxKept, Path);
            }

            try
            {
                while (pending.Count > 0)
                {
                    var batch = pending.GetRange(0, Math.Min(BatchLimit, pending.Count));
                    _store.Write(batch);
                    pending.RemoveRange(0, batch.Count);
                }
            }
            catch (Exception ex)
            {
                var problem = StorageErrors.Explain(Path, $"write {pending.Count} audit record(s)", ex);
                if (!failing)
                {
                    failing = true;
                    _log.LogError("{Problem} They are kept in memory (up to {Max}) and written when it works again.", problem.Message, MaxKept);
                }

                Interlocked.Exchange(ref _kept, pending.Count);
                if (reader.Completion.IsCompleted)
                {
                    // Shutting down with a store that still fails: one last try already failed.
                    _log.LogError("{Count} audit record(s) could not be written to {Path} before the host stopped.", pending.Count, Path);
                    return;
                }

                // Wake for the retry, or at once when the host stops (one last try).
                await Task.WhenAny(Task.Delay(retry, _clock), reader.Completion).ConfigureAwait(false);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
                continue;
            }

            if (failing)
            {
                failing = false;
                _log.LogInformation("Audit records are written to {Path} again; {Dropped} were dropped meanwhile.", Path, Dropped);
            }

            retry = FirstRetry;
            Interlocked.Exchange(ref _kept, 0);
        }
    }
}
