using AgentPlugins.Host.Storage;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// The timers' SQLite file (WAL). A timer row moves <c>pending → firing → fired</c>, or
/// <c>pending → cancelled</c>; each move is one statement or one transaction, so a crash leaves every
/// timer in exactly one state. <c>timer_effects</c> records what an expiry already did (a notification
/// sent), so re-delivering a <c>firing</c> timer after a crash does not do it twice.
/// One connection, used by one thread at a time (the timer service's worker); not thread-safe.
/// Fired and cancelled timers are pruned by retention (Storage/RetentionService), not here.
/// </summary>
internal sealed partial class TimerStore : ITimerStore
{
    /// <summary>
    /// The schema this host writes; version 1 is the first with an application id, version 2 adds the
    /// owning role and payload (a version 1 file gets the two columns, empty, when opened: its timers
    /// keep going to every listener as before).
    /// </summary>
    public static readonly StoreSchema Schema = new("timers", StoreSchema.Family | 0x0001, 2, "timers", """
        CREATE TABLE IF NOT EXISTS timers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            label TEXT NOT NULL,
            user TEXT NULL,
            channel TEXT NOT NULL,
            follow_up TEXT NULL,
            due_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'fired', 'cancelled')),
            done_at INTEGER NULL,
            owner TEXT NULL,
            payload TEXT NULL);
        CREATE INDEX IF NOT EXISTS timers_pending_due ON timers (due_at) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS timers_pending_owner ON timers (user, channel, due_at) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS timers_firing ON timers (id) WHERE state = 'firing';
        CREATE INDEX IF NOT EXISTS timers_done ON timers (done_at) WHERE state IN ('fired', 'cancelled');
        CREATE TABLE IF NOT EXISTS timer_effects (
            delivery TEXT NOT NULL,
            effect TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (delivery, effect)) WITHOUT ROWID;
        """);

    // Fail fast when another process holds the file (sqlite3 on it, say): the worker retries rather
    // than stalling every timer for Microsoft.Data.Sqlite's default 30 s.
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromMilliseconds(250);

    private const string Columns = "id, label, user, channel, follow_up, due_at, owner, payload";

    private static readonly IReadOnlyList<string> OwnerColumns = ["owner", "payload"];

    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;
    private DataFolderLock? _lock;

    private readonly long? _maxBytes;

    /// <param name="maxBytes">A hard size limit on the file (writes past it fail as on a full disk); null for none.</param>
    public TimerStore(string path, long? maxBytes = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        _maxBytes = maxBytes;
    }

    public string Path { get; }

    /// <summary>Retention of fired and cancelled timers (pending and firing ones are never pruned): 7 days, 16 MB by default.</summary>
    public static IRetentionTarget Retention(string path) => new SqliteRetentionTarget(
        "timers",
        path,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(7), MaxMegabytes = 16 },
        "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE state IN ('fired', 'cancelled') AND done_at < $cutoff ORDER BY done_at LIMIT $limit)",
        "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE state IN ('fired', 'cancelled') ORDER BY done_at LIMIT $limit)",
        cutoff => cutoff.ToUnixTimeMilliseconds());

    /// <summary>
    /// Locks the data folder (one host per folder), opens the file through <see cref="SqliteStoreFile"/>
    /// (which refuses a damaged, foreign, newer or lost file) and drops effect records of timers no longer in flight.
    /// </summary>
    /// <exception cref="StorageException">Another host holds the folder, or the file cannot be used.</exception>
    public void Open()
    {
        // Two hosts firing from one file would each re-deliver the other's in-flight expiries at start.
        _lock = DataFolderLock.Acquire(System.IO.Path.GetDirectoryName(Path)!);
        try
        {
            _connection = SqliteStoreFile.Open(Path, Schema, BusyTimeout, _maxBytes);
            AddOwnerColumns();
            Execute("DELETE FROM timer_effects WHERE delivery NOT IN (SELECT 't' || id FROM timers WHERE state = 'firing')");
        }
        catch
        {
            _connection?.Dispose();
            _lock.Dispose();
            throw;
        }
    }

    public StorageException Explain(string doing, Exception ex) => StorageErrors.Explain(Path, doing, ex);

    /// <summary>Runs the statements that follow in one transaction, committed by <see cref="Commit"/>.</summary>
    public void Begin() => _transaction = Connection.BeginTransaction();

    public void Commit()
    {
        _transaction?.Commit();
        Rollback();
    }

    /// <summary>Drops the open transaction, if any, undoing what it did.</summary>
    public void Rollback()
    {
        _transaction?.Dispose();
        _transaction = null;
    }

    public StoredTimer Insert(string label, string? user, string channel, string? followUp, long dueAtMs, long nowMs, string? owner = null, string? payload = null)
    {
        var insert = Statement("INSERT INTO timers (label, user, channel, follow_up, due_at, created_at, state, owner, payload) VALUES ($label, $user, $channel, $followUp, $dueAt, $now, 'pending', $owner, $payload) RETURNING id");
        insert.Parameters["$owner"].Value = (object?)owner ?? DBNull.Value;
        insert.Parameters["$payload"].Value = (object?)payload ?? DBNull.Value;
        insert.Parameters["$label"].Value = label;
        insert.Parameters["$user"].Value = (object?)user ?? DBNull.Value;
        insert.Parameters["$channel"].Value = channel;
        insert.Parameters["$followUp"].Value = (object?)followUp ?? DBNull.Value;
        insert.Parameters["$dueAt"].Value = dueAtMs;
        insert.Parameters["$now"].Value = nowMs;
        var id = (long)insert.ExecuteScalar()!;
        return new StoredTimer(id, label, user, channel, followUp, dueAtMs, owner, payload);
    }

    public long CountPending(string? user)
    {
        var count = Statement("SELECT COUNT(*) FROM timers WHERE state = 'pending' AND user IS $user");
        count.Parameters["$user"].Value = (object?)user ?? DBNull.Value;
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>Cancels the user's pending timer with that id, else the soonest with that label; its id, or null.</summary>
    public long? Cancel(string idOrLabel, string? user, long nowMs)
    {
        var cancel = Statement("""
            UPDATE timers SET state = 'cancelled', done_at = $now
            WHERE id = (SELECT id FROM timers
                        WHERE state = 'pending' AND user IS $user AND (id = $id OR label = $label COLLATE NOCASE)
                        ORDER BY id = $id DESC, due_at, id LIMIT 1)
            RETURNING id
            """);
        cancel.Parameters["$now"].Value = nowMs;
        cancel.Parameters["$user"].Value = (object?)user ?? DBNull.Value;
        cancel.Parameters["$id"].Value = StoredTimer.TryParseId(idOrLabel, out var id) ? id : -1;
        cancel.Parameters["$label"].Value = idOrLabel;
        return cancel.ExecuteScalar() is long cancelled ? cancelled : null;
    }

    public List<StoredTimer> ListPending(string? user, string channel)
    {
        var list = Statement($"SELECT {Columns} FROM timers WHERE state = 'pending' AND user IS $user AND channel = $channel ORDER BY due_at, id");
        list.Parameters["$user"].Value = (object?)user ?? DBNull.Value;
        list.Parameters["$channel"].Value = channel;
        return Read(list);
    }

    /// <summary>The due time of the soonest pending timer (one index lookup), or null when none is pending.</summary>
    public long? EarliestPendingDue() => Statement("SELECT MIN(due_at) FROM timers WHERE state = 'pending'").ExecuteScalar() is long due ? due : null;

    /// <summary>Moves up to <paramref name="limit"/> pending timers due by <paramref name="nowMs"/> to <c>firing</c>, soonest first, and returns them.</summary>
    public List<StoredTimer> ClaimDue(long nowMs, int limit)
    {
        var claim = Statement($"""
            UPDATE timers SET state = 'firing'
            WHERE id IN (SELECT id FROM timers WHERE state = 'pending' AND due_at <= $now ORDER BY due_at, id LIMIT $limit)
            RETURNING {Columns}
            """);
        claim.Parameters["$now"].Value = nowMs;
        claim.Parameters["$limit"].Value = limit;
        var claimed = Read(claim);

        // RETURNING gives rows in no promised order; expiries go out in due order.
        claimed.Sort((a, b) => a.DueAtMs != b.DueAtMs ? a.DueAtMs.CompareTo(b.DueAtMs) : a.Id.CompareTo(b.Id));
        return claimed;
    }

    /// <summary>The timers left <c>firing</c>: claimed, but not known to be delivered (the host stopped or crashed, or no role listened).</summary>
    public List<StoredTimer> Firing(IReadOnlyCollection<long>? only = null)
    {
        var firing = Read(Statement($"SELECT {Columns} FROM timers WHERE state = 'firing' ORDER BY due_at, id"));
        return only is null ? firing : firing.FindAll(t => only.Contains(t.Id));
    }

    /// <summary>Effects already carried out for <c>firing</c> timers (optionally only those with the given ids): delivery id and effect key.</summary>
    public List<(string Delivery, string Effect)> Effects(IReadOnlyCollection<long>? only = null)
    {
        using var reader = Statement("SELECT delivery, effect FROM timer_effects").ExecuteReader();
        var deliveries = only?.Select(StoredTimer.FormatId).ToHashSet(StringComparer.Ordinal);
        var effects = new List<(string, string)>();
        while (reader.Read())
        {
            var delivery = reader.GetString(0);
            if (deliveries is null || deliveries.Contains(delivery))
            {
                effects.Add((delivery, reader.GetString(1)));
            }
        }

        return effects;
    }

    public void RecordEffect(string delivery, string effect, long nowMs)
    {
        var record = Statement("INSERT OR IGNORE INTO timer_effects (delivery, effect, at) VALUES ($delivery, $effect, $now)");
        record.Parameters["$delivery"].Value = delivery;
        record.Parameters["$effect"].Value = effect;
        record.Parameters["$now"].Value = nowMs;
        record.ExecuteNonQuery();
    }

    /// <summary>The expiry was delivered: <c>firing → fired</c>, and its effect records are no longer needed.</summary>
    public void MarkFired(long id, long nowMs)
    {
        var fired = Statement("UPDATE timers SET state = 'fired', done_at = $now WHERE id = $id AND state = 'firing'");
        fired.Parameters["$id"].Value = id;
        fired.Parameters["$now"].Value = nowMs;
        fired.ExecuteNonQuery();
        var forget = Statement("DELETE FROM timer_effects WHERE delivery = $delivery");
        forget.Parameters["$delivery"].Value = StoredTimer.FormatId(id);
        forget.ExecuteNonQuery();
    }

    public void Dispose()
    {
        Rollback();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();

        _connection?.Dispose();
        _connection = null;
        _lock?.Dispose();
        _lock = null;
    }

    private SqliteConnection Connection => _connection ?? throw new InvalidOperationException("The timer store is not open.");

    private static List<StoredTimer> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return StoredTimer.ReadAll(reader);
    }

    // A file from before owned timers (schema 1) lacks the two columns; added once, empty, so its timers keep their old delivery.
    private void AddOwnerColumns()
    {
        using var columns = Connection.CreateCommand();
        columns.CommandText = "SELECT name FROM pragma_table_info('timers')";
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var reader = columns.ExecuteReader())
        {
            while (reader.Read())
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach (var column in OwnerColumns.Where(c => !present.Contains(c)))
        {
            Execute($"ALTER TABLE timers ADD COLUMN {column} TEXT NULL");
        }
    }

    private void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // Statements are prepared once and reused (100,000 inserts would otherwise re-parse SQL each time).
    private SqliteCommand Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in ParameterNames(sql))
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }

            _statements[sql] = command;
        }

        command.Transaction = _transaction;
        return command;
    }

    private static IEnumerable<string> ParameterNames(string sql) =>
        ParameterName().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex(@"\$[A-Za-z]+")]
    private static partial System.Text.RegularExpressions.Regex ParameterName();
}
