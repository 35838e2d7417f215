using System.Globalization;
using System.Threading.Channels;
using AgentPlugins.Host.Storage;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// The recent exchanges of each user on each channel, so a follow-up ("make it 15 minutes") reaches
/// the same role with what was said. Bounded to the last <c>maxTurns</c> per conversation and kept in
/// <see cref="IConversationTurns"/> (an SQLite file, or the database several hosts share), so it
/// survives restarts. Turns are read and written off the loop (one writer, in order), so storage never
/// holds the loop. With a file of its own the host keeps each conversation in memory (on the loop);
/// with a shared database it reads the conversation for every request, since another host may have
/// answered the last one, and a request's turn is written before its reply goes out.
/// </summary>
internal sealed class ConversationStore : IAsyncDisposable
{
    /// <summary>The SQLite file's schema (<see cref="SqliteConversationTurns"/>).</summary>
    public static readonly StoreSchema Schema = SqliteConversationTurns.Schema;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly Channel<PendingTurn> _writes = Channel.CreateUnbounded<PendingTurn>(new() { SingleReader = true });
    private readonly Dictionary<(string User, string Channel), Task<List<ConversationTurn>>> _cache = [];
    private readonly IConversationTurns _turns;
    private readonly int _maxTurns;
    private readonly ILogger _log;
    private Task? _writer;

    public ConversationStore(string databasePath, int maxTurns, ILogger<ConversationStore> log)
        : this(new SqliteConversationTurns(databasePath), maxTurns, log)
    {
    }

    public ConversationStore(IConversationTurns turns, int maxTurns, ILogger<ConversationStore> log)
    {
        _turns = turns;
        _maxTurns = maxTurns;
        _log = log;
    }

    public string Path => _turns.Path;

    /// <summary>Retention of conversation turns in the SQLite file, oldest first: 30 days, 32 MB by default.</summary>
    public static IRetentionTarget Retention(string path) => new SqliteRetentionTarget(
        "conversations",
        path,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(30), MaxMegabytes = 32 },
        "DELETE FROM turns WHERE id IN (SELECT id FROM turns ORDER BY id LIMIT $limit) AND at < $cutoff",
        "DELETE FROM turns WHERE id IN (SELECT id FROM turns ORDER BY id LIMIT $limit)",
        cutoff => cutoff.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Creates the file or tables if needed and starts the writer.</summary>
    /// <exception cref="StorageException">The store is damaged, foreign, newer or cannot be created.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        await _turns.OpenAsync(cancellationToken).ConfigureAwait(false);
        _writer = Task.Run(WriteAsync, CancellationToken.None);
    }

    /// <summary>The conversation's last exchanges, oldest first. Call on the loop.</summary>
    public async Task<IReadOnlyList<ConversationTurn>> RecentAsync(string? user, string channel, CancellationToken cancellationToken)
    {
        if (_turns.Shared)
        {
            return await Task.Run(() => _turns.Read(user ?? string.Empty, channel, _maxTurns), cancellationToken).ConfigureAwait(true);
        }

        var load = Load(user, channel);
        try
        {
            return [.. await load.WaitAsync(cancellationToken).ConfigureAwait(true)];
        }
        catch (StorageException)
        {
            // Let the next request read the file again instead of failing on a cached error.
            _cache.Remove((user ?? string.Empty, channel));
            throw;
        }
    }

    /// <summary>
    /// Adds an exchange. With a file of its own it is in memory at once and on disk shortly after; with a
    /// shared database this completes once it is written (or its first write failed: it is kept and retried). Call on the loop.
    /// </summary>
    public async Task AppendAsync(string? user, string channel, ConversationTurn turn)
    {
        if (_maxTurns == 0)
        {
            return;
        }

        if (!_turns.Shared)
        {
            var turns = await Load(user, channel).ConfigureAwait(true);
            turns.Add(turn);
            if (turns.Count > _maxTurns)
            {
                turns.RemoveRange(0, turns.Count - _maxTurns);
            }
        }

        var pending = new PendingTurn(user ?? string.Empty, channel, turn);
        if (!_writes.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The conversation store is closed.");
        }

        if (_turns.Shared)
        {
            await pending.Tried.Task.ConfigureAwait(true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }

        (_turns as SqliteConversationTurns)?.Close();
    }

    // One load per conversation, shared by requests that arrive while it runs.
    private Task<List<ConversationTurn>> Load(string? user, string channel)
    {
        var key = (User: user ?? string.Empty, Channel: channel);
        if (!_cache.TryGetValue(key, out var load))
        {
            load = _cache[key] = Task.Run(() => _turns.Read(key.User, key.Channel, _maxTurns));
        }

        return load;
    }

    // A write that fails (a full or read-only disk, an unreachable database) is kept and retried with back-off, in order; logged once per failing spell.
    private async Task WriteAsync()
    {
        var pending = new List<PendingTurn>();
        var retry = FirstRetry;
        var failing = false;
        var reader = _writes.Reader;
        while (pending.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var write))
            {
                pending.Add(write);
            }

            try
            {
                _turns.Write([.. pending.Select(p => (p.User, p.Channel, p.Turn))], _maxTurns);
                foreach (var written in pending)
                {
                    written.Tried.TrySetResult();
                }

                pending.Clear();
            }
            catch (StorageException ex)
            {
                foreach (var kept in pending)
                {
                    kept.Tried.TrySetResult();
                }

                if (!failing)
                {
                    failing = true;
                    _log.LogError("{Problem} The turns are kept in memory and written when it works again.", ex.Message);
                }

                if (reader.Completion.IsCompleted)
                {
                    _log.LogError("{Count} conversation turn(s) could not be written to {Path} before the host stopped.", pending.Count, Path);
                    return;
                }

                await Task.WhenAny(Task.Delay(retry), reader.Completion).ConfigureAwait(false);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
                continue;
            }

            if (failing)
            {
                failing = false;
                _log.LogInformation("Conversation turns are written to {Path} again.", Path);
            }

            retry = FirstRetry;
        }
    }

    private sealed record PendingTurn(string User, string Channel, ConversationTurn Turn)
    {
        public TaskCompletionSource Tried { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
