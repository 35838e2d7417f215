using System.Globalization;
using System.Threading.Channels;
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
    private readonly Channel<(string User, string Channel, ConversationTurn Turn)> _writes =
        Channel.CreateUnbounded<(string, string, ConversationTurn)>(new() { SingleReader = true });

    private readonly Dictionary<(string User, string Channel), Task<List<ConversationTurn>>> _cache = [];
    private readonly string _connectionString;
    private readonly int _maxTurns;
    private readonly ILogger _log;
    private Task? _writer;

    public ConversationStore(string databasePath, int maxTurns, ILogger<ConversationStore> log)
    {
        Path = databasePath;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        _maxTurns = maxTurns;
        _log = log;
    }

    public string Path { get; }

    /// <summary>Creates the file and table if needed and starts the writer.</summary>
    public void Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using (var connection = Connect())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS turns (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    user TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    at TEXT NOT NULL,
                    role TEXT NOT NULL,
                    request TEXT NOT NULL,
                    answer TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (user, channel, id);
                """;
            command.ExecuteNonQuery();
        }

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
        return connection;
    }

    private async Task WriteAsync()
    {
        using var connection = Connect();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                using var transaction = connection.BeginTransaction();
                while (_writes.Reader.TryRead(out var write))
                {
                    Insert(connection, transaction, write.User, write.Channel, write.Turn);
                }

                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                _log.LogError(ex, "Could not write conversation turns to {Path}.", Path);
            }
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
        command.Parameters.AddWithValue("$at", turn.At.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$role", turn.Role);
        command.Parameters.AddWithValue("$request", turn.Request);
        command.Parameters.AddWithValue("$answer", turn.Answer);
        command.Parameters.AddWithValue("$n", _maxTurns);
        command.ExecuteNonQuery();
    }
}
