using System.Globalization;
using System.Threading.Channels;
using AgentPlugins.Host.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// The recent exchanges of each user on each channel, so a follow-up ("make it 15 minutes") reaches
/// the same role with what was said. Bounded to the last <c>maxTurns</c> per conversation and kept in
/// an SQLite file, so it survives restarts. The cache is used only on the loop; SQLite is read and
/// written off it (one writer in order), so the disk never holds the loop.
/// </summary>
internal sealed class ConversationStore : IAsyncDisposable
{
    public static readonly StoreSchema Schema = new("conversations", StoreSchema.Family | 0x0003, 1, "turns", """
        CREATE TABLE IF NOT EXISTS turns (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user TEXT NOT NULL,
            channel TEXT NOT NULL,
            at TEXT NOT NULL,
            role TEXT NOT NULL,
            request TEXT NOT NULL,
            answer TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (user, channel, id);
        """);

    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly Channel<(string User, string Channel, ConversationTurn Turn)> _writes =
        Channel.CreateUnbounded<(string, string, ConversationTurn)>(new() { SingleReader = true });

    private readonly Dictionary<(string User, string Channel), Task<List<ConversationTurn>>> _cache = [];
    private readonly string _connectionString;
    private readonly int _maxTurns;
    private readonly ILogger _log;
    private Task? _writer;

    public ConversationStore(string databasePath, int maxTurns, ILogger<ConversationStore> log)
    {
        Path = System.IO.Path.GetFullPath(databasePath);
        _connectionString = SqliteStoreFile.ConnectionString(Path, BusyTimeout);
        _maxTurns = maxTurns;
        _log = log;
    }

    public string Path { get; }

    /// <summary>Retention of conversation turns, oldest first: 30 days, 32 MB by default.</summary>
    public static IRetentionTarget Retention(string path) => new SqliteRetentionTarget(
        "conversations",
        path,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(30), MaxMegabytes = 32 },
        "DELETE FROM turns WHERE id IN (SELECT id FROM turns ORDER BY id LIMIT $limit) AND at < $cutoff",
        "DELETE FROM turns WHERE id IN (SELECT id FROM turns ORDER BY id LIMIT $limit)",
        cutoff => cutoff.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Creates the file and table if needed and starts the writer.</summary>
    /// <exception cref="StorageException">The file is damaged, foreign or cannot be created.</exception>
    public void Open()
    {
        SqliteStoreFile.Open(Path, Schema, BusyTimeout).Dispose();
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>The conversation's last exchanges, oldest first. Call on the loop.</summary>
    public async Task<IReadOnlyList<ConversationTurn>> RecentAsync(string? user, string channel, CancellationToken cancellationToken)
    {
        var load = Load(user, channel);
        try
        {
            return [.. await load.WaitAsync(cancellationToken).ConfigureAwait(true)];
        }
        catch (SqliteException)
        {
            // Let the next request read the file again instead of failing on a cached error.
            _cache.Remove((user ?? string.Empty, channel));
            throw;
        }
    }

    /// <summary>Adds an exchange; it is in the cache at once and on disk shortly after. Call on the loop.</summary>
    public async Task AppendAsync(string? user, string channel, ConversationTurn turn)
    {
        if (_maxTurns == 0)
        {
            return;
        }

        var turns = await Load(user, channel).ConfigureAwait(true);
        turns.Add(turn);
        if (turns.Count > _maxTurns)
        {
            turns.RemoveRange(0, turns.Count - _maxTurns);
        }

        if (!_writes.Writer.TryWrite((user ?? string.Empty, channel, turn)))
        {
            throw new InvalidOperationException("The conversation store is closed.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    // One load per conversation, shared by requests that arrive while it runs.
    private Task<List<ConversationTurn>> Load(string? user, string channel)
    {
        var key = (User: user ?? string.Empty, Channel: channel);
        if (!_cache.TryGetValue(key, out var load))
        {
            load = _cache[key] = Task.Run(() => Read(key.User, key.Channel));
        }

        return load;
    }

    private List<ConversationTurn> Read(string user, string channel)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, role, request, answer FROM turns WHERE user = $user AND channel = $channel ORDER BY id DESC LIMIT $n";
        command.Parameters.AddWithValue("$user", user);
        command.Parameters.AddWithValue("$channel", channel);
        command.Parameters.AddWithValue("$n", _maxTurns);
        using var reader = command.ExecuteReader();
        var turns = new List<ConversationTurn>();
        while (reader.Read())
        {
            turns.Add(new ConversationTurn(
                DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3)));
        }

        turns.Reverse();
        return turns;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA journal_size_limit={SqliteStoreFile.JournalSizeLimit}; PRAGMA wal_autocheckpoint={SqliteStoreFile.AutoCheckpointPages};";
        command.ExecuteNonQuery();
        return connection;
    }

    // A write that fails (a full or read-only disk) is kept and retried with back-off, in order; logged once per failing spell.
    private async Task WriteAsync()
    {
        using var connection = Connect();
        var pending = new List<(string User, string Channel, ConversationTurn Turn)>();
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
                using var transaction = connection.BeginTransaction();
                foreach (var write in pending)
                {
                    Insert(connection, transaction, write.User, write.Channel, write.Turn);
                }

                transaction.Commit();
                pending.Clear();
            }
            catch (SqliteException ex)
            {
                if (!failing)
                {
                    failing = true;
                    _log.LogError("{Problem} The turns are kept in memory and written when it works again.", StorageErrors.Explain(Path, "save the conversation", ex).Message);
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

    private void Insert(SqliteConnection connection, SqliteTransaction transaction, string user, string channel, ConversationTurn turn)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO turns (user, channel, at, role, request, answer) VALUES ($user, $channel, $at, $role, $request, $answer);
            DELETE FROM turns WHERE user = $user AND channel = $channel AND id NOT IN
                (SELECT id FROM turns WHERE user = $user AND channel = $channel ORDER BY id DESC LIMIT $n);
            """;
        command.Parameters.AddWithValue("$user", user);
        command.Parameters.AddWithValue("$channel", channel);
        command.Parameters.AddWithValue("$at", turn.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$role", turn.Role);
        command.Parameters.AddWithValue("$request", turn.Request);
        command.Parameters.AddWithValue("$answer", turn.Answer);
        command.Parameters.AddWithValue("$n", _maxTurns);
        command.ExecuteNonQuery();
    }
}
