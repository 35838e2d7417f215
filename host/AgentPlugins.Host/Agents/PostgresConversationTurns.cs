using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace AgentPlugins.Host.Agents;

/// <summary>Conversation turns in the PostgreSQL database the hosts share.</summary>
internal sealed class PostgresConversationTurns(PostgresDatabase database, HostIdentity host) : IConversationTurns
{
    /// <summary>The turns table.</summary>
    public static readonly PostgresComponent Schema = new("conversations",
    [
        """
        CREATE TABLE conversation_turns (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            "user" text NOT NULL,
            channel text NOT NULL,
            at timestamptz NOT NULL,
            role text NOT NULL,
            request text NOT NULL,
            answer text NOT NULL);
        CREATE INDEX conversation_turns_by_conversation ON conversation_turns ("user", channel, id);
        CREATE INDEX conversation_turns_at ON conversation_turns (at);
        """,
    ]);

    public string Path => database.Name;

    /// <summary>Retention of conversation turns on the shared database, oldest first: 30 days, 32 MB by default (as in SQLite).</summary>
    public static IRetentionTarget Retention(PostgresDatabase database) => new PostgresRetentionTarget(
        "conversations",
        database,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(30), MaxMegabytes = 32 },
        "DELETE FROM conversation_turns WHERE id IN (SELECT id FROM conversation_turns WHERE at < $1 ORDER BY id LIMIT $2)",
        "DELETE FROM conversation_turns WHERE id IN (SELECT id FROM conversation_turns ORDER BY id LIMIT $1)",
        cutoff => cutoff.UtcDateTime,
        ["conversation_turns"]);

    public bool Shared => true;

    public Task OpenAsync(CancellationToken cancellationToken) => PostgresSchema.MigrateAsync(database, Schema, host.Id, cancellationToken);

    public List<ConversationTurn> Read(string user, string channel, int maxTurns)
    {
        try
        {
            using var command = database.DataSource.CreateCommand("""
                SELECT at, role, request, answer FROM conversation_turns WHERE "user" = $1 AND channel = $2 ORDER BY id DESC LIMIT $3
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channel });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxTurns });
            using var reader = command.ExecuteReader();
            var turns = new List<ConversationTurn>();
            while (reader.Read())
            {
                turns.Add(new ConversationTurn(new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }

            turns.Reverse();
            return turns;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Explain(Path, "read the conversation", ex);
        }
    }

    public void Write(IReadOnlyList<(string User, string Channel, ConversationTurn Turn)> turns, int maxTurns)
    {
        try
        {
            using var connection = database.DataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            foreach (var (user, channel, turn) in turns)
            {
                using var command = new NpgsqlCommand("""
                    INSERT INTO conversation_turns ("user", channel, at, role, request, answer) VALUES ($1, $2, $3, $4, $5, $6);
                    """, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channel });
                command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = turn.At.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = turn.Role });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = turn.Request });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = turn.Answer });
                command.ExecuteNonQuery();
            }

            // Each conversation keeps its last turns, whichever host wrote them.
            foreach (var (user, channel) in turns.Select(t => (t.User, t.Channel)).Distinct())
            {
                using var trim = new NpgsqlCommand("""
                    DELETE FROM conversation_turns WHERE "user" = $1 AND channel = $2 AND id < (
                        SELECT min(id) FROM (SELECT id FROM conversation_turns WHERE "user" = $1 AND channel = $2 ORDER BY id DESC LIMIT $3) AS kept)
                    """, connection, transaction);
                trim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
                trim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channel });
                trim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxTurns });
                trim.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Explain(Path, "save the conversation", ex);
        }
    }
}
