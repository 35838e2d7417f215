using System.Globalization;
using AgentPlugins.Host.Storage;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Agents;

/// <summary>Conversation turns in this host's SQLite file (<c>conversations.db</c>).</summary>
internal sealed class SqliteConversationTurns(string path) : IConversationTurns
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
    private readonly string _connectionString = SqliteStoreFile.ConnectionString(System.IO.Path.GetFullPath(path), BusyTimeout);
    private SqliteConnection? _writer;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public bool Shared => false;

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        SqliteStoreFile.Open(Path, Schema, BusyTimeout).Dispose();
        return Task.CompletedTask;
    }

    public List<ConversationTurn> Read(string user, string channel, int maxTurns)
    {
        try
        {
            return ReadTurns(user, channel, maxTurns);
        }
        catch (SqliteException ex)
        {
            throw StorageErrors.Explain(Path, "read the conversation", ex);
        }
    }

    private List<ConversationTurn> ReadTurns(string user, string channel, int maxTurns)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, role, request, answer FROM turns WHERE user = $user AND channel = $channel ORDER BY id DESC LIMIT $n";
        command.Parameters.AddWithValue("$user", user);
        command.Parameters.AddWithValue("$channel", channel);
        command.Parameters.AddWithValue("$n", maxTurns);
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

    public void Write(IReadOnlyList<(string User, string Channel, ConversationTurn Turn)> turns, int maxTurns)
    {
        // One connection for the writer, opened on first use and again after a failure.
        var connection = _writer ??= Connect();
        try
        {
            using var transaction = connection.BeginTransaction();
            foreach (var (user, channel, turn) in turns)
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
                command.Parameters.AddWithValue("$n", maxTurns);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch (SqliteException ex)
        {
            throw StorageErrors.Explain(Path, "save the conversation", ex);
        }
    }

    /// <summary>Closes the writer's connection.</summary>
    public void Close()
    {
        _writer?.Dispose();
        _writer = null;
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
}
