using System.Globalization;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// The timers in a PostgreSQL database several hosts share. A due timer is claimed by one host with
/// <c>FOR UPDATE SKIP LOCKED</c> and a lease (<c>claimed_by</c>, <c>lease_until</c>) the host renews
/// while it runs; a host that dies stops renewing, and once its lease lapses another host claims the
/// timer again and delivers it, its effects already carried out skipped (<c>timer_effects</c>). Each
/// host sleeps until the soonest due time or lapsed lease it can see; <c>NOTIFY agentplugins_timers</c>
/// wakes the others when a host schedules a timer or releases its claims (at a clean stop).
/// The worker's calls run on one connection, one thread at a time; the listener and the lease
/// renewal use connections of their own. Times are the hosts' clocks (keep them in sync, NTP).
/// </summary>
internal sealed class PostgresTimerStore : ISharedTimerStore
{
    /// <summary>The tables and their versions in <c>agentplugins_schema</c> (component <c>timers</c>).</summary>
    public static readonly PostgresComponent Schema = new("timers", [
        """
        CREATE TABLE timers (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            label text NOT NULL,
            user_name text NULL,
            channel text NOT NULL,
            follow_up text NULL,
            due_at bigint NOT NULL,
            created_at bigint NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'firing', 'fired', 'cancelled')),
            done_at bigint NULL,
            owner text NULL,
            payload text NULL,
            claimed_by text NULL,
            lease_until bigint NULL);
        CREATE INDEX timers_pending_due ON timers (due_at, id) WHERE state = 'pending';
        CREATE INDEX timers_pending_user ON timers (user_name, channel, due_at) WHERE state = 'pending';
        CREATE INDEX timers_firing_lease ON timers (lease_until) WHERE state = 'firing';
        CREATE INDEX timers_firing_host ON timers (claimed_by) WHERE state = 'firing';
        CREATE INDEX timers_done ON timers (done_at) WHERE state IN ('fired', 'cancelled');
        CREATE TABLE timer_effects (
            delivery text NOT NULL,
            effect text NOT NULL,
            at bigint NOT NULL,
            PRIMARY KEY (delivery, effect));
        """,
    ]);

    /// <summary>The <c>LISTEN</c>/<c>NOTIFY</c> channel: payload <c>due-ms host-id</c>.</summary>
    public const string Channel = "agentplugins_timers";

    private const string Columns = "id, label, user_name, channel, follow_up, due_at, owner, payload";

    /// <summary>
    /// How far ahead of their due time timers are claimed: a claim takes what falls due within this
    /// window and the host delivers each at its due time from its own clock, so at a steady 1,000 due/s
    /// a host claims about every half window, not once per timer. A claimed timer is no longer pending:
    /// it cannot be cancelled or listed in its last moment before it fires.
    /// </summary>
    public const long AheadMs = 100;

    private readonly PostgresDatabase _database;
    private readonly string _host;
    private readonly long _leaseMs;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly string? _lockFolder;
    private Action<long>? _changed;
    private NpgsqlConnection? _connection;

    // Statements whose results nobody waits for (effect records, fired marks) and BEGIN ride along with the
    // next statement that returns something, or with COMMIT: a batch of timer work costs one round trip.
    private readonly List<NpgsqlBatchCommand> _pending = [];
    private bool _inTransaction;
    private bool _began;

    // ClaimDue reads the soonest due time in the same round trip; EarliestPendingDue answers from it until the next write.
    private long? _earliest;
    private bool _earliestKnown;
    private PostgresListener? _listener;
    private ITimer? _renewal;
    private DataFolderLock? _lock;
    private long _insertedDue = long.MaxValue;
    private int _renewing;
    private bool _renewalFailing;

    /// <param name="lease">How long a claim holds without renewal (<c>storage:timerLease</c>); renewed every third of it.</param>
    /// <param name="lockFolder">The host's data folder, locked while the store is open (one host per folder: its compile cache, crash journal); null for none.</param>
    public PostgresTimerStore(PostgresDatabase database, HostIdentity host, TimeSpan lease, TimeProvider clock, ILogger<PostgresTimerStore> log, string? lockFolder = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(host);
        _database = database;
        _host = host.Id;
        _leaseMs = (long)lease.TotalMilliseconds;
        _clock = clock;
        _log = log;
        _lockFolder = lockFolder;
    }

    /// <summary>Retention of fired and cancelled timers (pending and firing ones are never pruned): 7 days, 16 MB by default, as on SQLite.</summary>
    public static IRetentionTarget Retention(PostgresDatabase database) => new PostgresRetentionTarget(
        "timers",
        database,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(7), MaxMegabytes = 16 },
        "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE state IN ('fired', 'cancelled') AND done_at < $1 ORDER BY done_at LIMIT $2)",
        "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE state IN ('fired', 'cancelled') ORDER BY done_at LIMIT $1)",
        cutoff => cutoff.ToUnixTimeMilliseconds(),
        ["timers", "timer_effects"]);

    /// <summary>The database as errors name it: <c>host:port/database</c>.</summary>
    public string Path => _database.Name;

    public void OnChanged(Action<long> changed) => _changed = changed;

    /// <summary>Half of <see cref="AheadMs"/>: each claim reaches half a window further than the last.</summary>
    public long ClaimEarlyMs => AheadMs / 2;

    public StorageException Explain(string doing, Exception ex) => PostgresErrors.Explain(_database.Name, doing, ex);

    /// <summary>
    /// Migrates the schema (refusing a newer one), opens the worker's connection, drops effect records
    /// of timers no longer in flight, starts listening for other hosts and renewing this host's leases.
    /// </summary>
    /// <exception cref="StorageException">The database cannot be reached or used, or its schema is newer than this host knows.</exception>
    public void Open()
    {
        _lock = _lockFolder is null ? null : DataFolderLock.Acquire(_lockFolder);
        try
        {
            // Start-up, off the loop: blocking here is what the synchronous store contract asks.
            PostgresSchema.MigrateAsync(_database, Schema, _host).GetAwaiter().GetResult();
            Execute("DELETE FROM timer_effects WHERE delivery NOT IN (SELECT 't' || id FROM timers WHERE state = 'firing')", "open the timers");
            _listener = new PostgresListener(_database, Channel, Heard, _log);
            _listener.StartAsync().GetAwaiter().GetResult();
            var every = TimeSpan.FromMilliseconds(Math.Max(1, _leaseMs / 3));
            _renewal = _clock.CreateTimer(static state => ((PostgresTimerStore)state!).Renew(), this, every, every);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Starts a transaction; its BEGIN goes out with the first statement that needs an answer, or with COMMIT.</summary>
    public void Begin()
    {
        Rollback();
        _inTransaction = true;
        _pending.Add(new NpgsqlBatchCommand("BEGIN"));
    }

    /// <summary>
    /// Commits in one round trip with what waits to be sent; other hosts hear of the soonest timer inserted in it at the commit (one notification per transaction).
    /// A transaction nothing of which was sent yet (an expiry's fired mark and effect records) goes out as one batch without
    /// BEGIN and COMMIT: PostgreSQL runs a batch's statements as one implicit transaction (a failure rolls back the whole
    /// batch), so the two statements would only cost the database work (they were two of the three statements per expiry).
    /// </summary>
    public void Commit()
    {
        if (!_inTransaction)
        {
            return;
        }

        if (_insertedDue != long.MaxValue)
        {
            _pending.Add(NotifyCommand(_insertedDue));
            _insertedDue = long.MaxValue;
        }

        if (_began)
        {
            _pending.Add(new NpgsqlBatchCommand("COMMIT"));
        }
        else
        {
            // Nothing to roll back on the server if this fails: the batch's implicit transaction ends with it.
            _pending.RemoveAt(0);
            _inTransaction = false;
        }

        if (_pending.Count > 0)
        {
            using var batch = Batch();
            batch.ExecuteNonQuery();
        }

        _inTransaction = false;
        _began = false;
    }

    public void Rollback()
    {
        _insertedDue = long.MaxValue;
        _pending.Clear();
        if (_began && _connection is { State: System.Data.ConnectionState.Open })
        {
            try
            {
                using var rollback = new NpgsqlCommand("ROLLBACK", _connection);
                rollback.ExecuteNonQuery();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The connection broke under the transaction: nothing was committed; the next call opens a new one.
            }
        }

        _inTransaction = false;
        _began = false;
    }

    public StoredTimer Insert(string label, string? user, string channel, string? followUp, long dueAtMs, long nowMs, string? owner = null, string? payload = null)
    {
        Wrote();
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO timers (label, user_name, channel, follow_up, due_at, created_at, state, owner, payload)
            VALUES (@label, @user, @channel, @followUp, @dueAt, @now, 'pending', @owner, @payload) RETURNING id
            """);
        insert.Parameters.AddWithValue("label", label);
        insert.Parameters.AddWithValue("user", (object?)user ?? DBNull.Value);
        insert.Parameters.AddWithValue("channel", channel);
        insert.Parameters.AddWithValue("followUp", (object?)followUp ?? DBNull.Value);
        insert.Parameters.AddWithValue("dueAt", dueAtMs);
        insert.Parameters.AddWithValue("now", nowMs);
        insert.Parameters.AddWithValue("owner", (object?)owner ?? DBNull.Value);
        insert.Parameters.AddWithValue("payload", (object?)payload ?? DBNull.Value);
        using var batch = Batch(insert);
        if (!_inTransaction)
        {
            batch.BatchCommands.Add(NotifyCommand(dueAtMs));
        }

        var id = (long)batch.ExecuteScalar()!;
        if (_inTransaction)
        {
            _insertedDue = Math.Min(_insertedDue, dueAtMs);
        }

        return new StoredTimer(id, label, user, channel, followUp, dueAtMs, owner, payload);
    }

    public long CountPending(string? user)
    {
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM timers WHERE state = 'pending' AND {UserIs(user)}");
        AddUser(count, user);
        using var batch = Batch(count);
        return (long)batch.ExecuteScalar()!;
    }

    public long? Cancel(string idOrLabel, string? user, long nowMs)
    {
        Wrote();

        // SKIP LOCKED: a timer another host is claiming right now is firing, no longer pending.
        var cancel = new NpgsqlBatchCommand($"""
            UPDATE timers SET state = 'cancelled', done_at = @now
            WHERE id = (SELECT id FROM timers
                        WHERE state = 'pending' AND {UserIs(user)} AND (id = @id OR lower(label) = lower(@label))
                        ORDER BY id = @id DESC, due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """);
        cancel.Parameters.AddWithValue("now", nowMs);
        AddUser(cancel, user);
        cancel.Parameters.AddWithValue("id", StoredTimer.TryParseId(idOrLabel, out var id) ? id : -1L);
        cancel.Parameters.AddWithValue("label", idOrLabel);
        using var batch = Batch(cancel);
        return batch.ExecuteScalar() is long cancelled ? cancelled : null;
    }

    public List<StoredTimer> ListPending(string? user, string channel)
    {
        var list = new NpgsqlBatchCommand($"SELECT {Columns}, false FROM timers WHERE state = 'pending' AND {UserIs(user)} AND channel = @channel ORDER BY due_at, id");
        AddUser(list, user);
        list.Parameters.AddWithValue("channel", channel);
        using var batch = Batch(list);
        using var reader = batch.ExecuteReader();
        return StoredTimer.ReadAll(reader);
    }

    /// <summary>
    /// When to claim next: half of <see cref="AheadMs"/> before the soonest pending due time (so each claim
    /// reaches half a window further than the last), or the soonest lapse of another host's lease (then this host takes its timers), or null.
    /// </summary>
    public long? EarliestPendingDue()
    {
        if (_earliestKnown)
        {
            _earliestKnown = false;
            return _earliest;
        }

        using var batch = Batch(EarliestCommand());
        return batch.ExecuteScalar() is long due ? due : null;
    }

    /// <summary>
    /// Claims, for this host, up to <paramref name="limit"/> pending timers due by <paramref name="nowMs"/> plus
    /// <see cref="AheadMs"/> (the caller delivers each at its due time) and as many whose claiming host's lease
    /// lapsed (<see cref="StoredTimer.Reclaimed"/>); rows another host is claiming are skipped. When to claim
    /// next is read in the same round trip (<see cref="EarliestPendingDue"/>).
    /// </summary>
    public List<StoredTimer> ClaimDue(long nowMs, int limit)
    {
        Wrote();
        var claim = new NpgsqlBatchCommand($"""
            WITH due AS (
                SELECT id FROM timers WHERE state = 'pending' AND due_at <= @horizon
                ORDER BY due_at, id LIMIT @limit FOR UPDATE SKIP LOCKED),
            lapsed AS (
                SELECT id FROM timers WHERE state = 'firing' AND lease_until < @now AND claimed_by IS DISTINCT FROM @me
                ORDER BY due_at, id LIMIT @limit FOR UPDATE SKIP LOCKED),
            claimed AS (
                SELECT id, false AS again FROM due UNION ALL SELECT id, true FROM lapsed)
            UPDATE timers t SET state = 'firing', claimed_by = @me, lease_until = @until
            FROM claimed c WHERE t.id = c.id
            RETURNING t.{Columns.Replace(", ", ", t.", StringComparison.Ordinal)}, c.again
            """);
        claim.Parameters.AddWithValue("now", nowMs);
        claim.Parameters.AddWithValue("horizon", nowMs + AheadMs);
        claim.Parameters.AddWithValue("limit", limit);
        claim.Parameters.AddWithValue("me", _host);
        claim.Parameters.AddWithValue("until", nowMs + _leaseMs);
        using var batch = Batch(claim, EarliestCommand());
        List<StoredTimer> claimed;
        using (var reader = batch.ExecuteReader())
        {
            claimed = StoredTimer.ReadAll(reader);
            reader.NextResult();
            reader.Read();
            _earliest = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            _earliestKnown = true;
        }

        claimed.Sort((a, b) => a.DueAtMs != b.DueAtMs ? a.DueAtMs.CompareTo(b.DueAtMs) : a.Id.CompareTo(b.Id));
        return claimed;
    }

    /// <summary>This host's timers left <c>firing</c> (a configured <c>storage:hostId</c> finds its own again after a restart).</summary>
    public List<StoredTimer> Firing(IReadOnlyCollection<long>? only = null)
    {
        var firing = new NpgsqlBatchCommand($"SELECT {Columns}, false FROM timers WHERE state = 'firing' AND claimed_by = @me {(only is null ? string.Empty : "AND id = ANY(@ids)")} ORDER BY due_at, id");
        firing.Parameters.AddWithValue("me", _host);
        if (only is not null)
        {
            firing.Parameters.AddWithValue("ids", only.ToArray());
        }

        using var batch = Batch(firing);
        using var reader = batch.ExecuteReader();
        return StoredTimer.ReadAll(reader);
    }

    /// <summary>Effects already carried out for timers this host holds <c>firing</c> (whoever carried them out).</summary>
    public List<(string Delivery, string Effect)> Effects(IReadOnlyCollection<long>? only = null)
    {
        var effects = new NpgsqlBatchCommand($"""
            SELECT e.delivery, e.effect FROM timer_effects e JOIN timers t ON e.delivery = 't' || t.id
            WHERE t.state = 'firing' AND t.claimed_by = @me {(only is null ? string.Empty : "AND t.id = ANY(@ids)")}
            """);
        effects.Parameters.AddWithValue("me", _host);
        if (only is not null)
        {
            effects.Parameters.AddWithValue("ids", only.ToArray());
        }

        using var batch = Batch(effects);
        using var reader = batch.ExecuteReader();
        var done = new List<(string, string)>();
        while (reader.Read())
        {
            done.Add((reader.GetString(0), reader.GetString(1)));
        }

        return done;
    }

    /// <summary>Records an effect carried out; inside a transaction it goes out with the commit.</summary>
    public void RecordEffect(string delivery, string effect, long nowMs)
    {
        var record = new NpgsqlBatchCommand("INSERT INTO timer_effects (delivery, effect, at) VALUES (@delivery, @effect, @now) ON CONFLICT DO NOTHING");
        record.Parameters.AddWithValue("delivery", delivery);
        record.Parameters.AddWithValue("effect", effect);
        record.Parameters.AddWithValue("now", nowMs);
        Send(record);
    }

    /// <summary><c>firing → fired</c> if this host still holds the timer (else the host that took it over marks it), and its effect records go; inside a transaction it goes out with the commit.</summary>
    public void MarkFired(long id, long nowMs)
    {
        var fired = new NpgsqlBatchCommand("""
            WITH fired AS (
                UPDATE timers SET state = 'fired', done_at = @now, lease_until = NULL
                WHERE id = @id AND state = 'firing' AND claimed_by = @me RETURNING id)
            DELETE FROM timer_effects WHERE delivery = @delivery AND EXISTS (SELECT 1 FROM fired)
            """);
        fired.Parameters.AddWithValue("now", nowMs);
        fired.Parameters.AddWithValue("id", id);
        fired.Parameters.AddWithValue("me", _host);
        fired.Parameters.AddWithValue("delivery", StoredTimer.FormatId(id));
        Send(fired);
    }

    /// <summary>Releases this host's claims (another host delivers them at once, told by a notification), then closes.</summary>
    public void Dispose()
    {
        _renewal?.Dispose();
        _renewal = null;
        Rollback();
        if (_connection is not null)
        {
            ReleaseClaims();
        }

        _listener?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _listener = null;
        _connection?.Dispose();
        _connection = null;
        _lock?.Dispose();
        _lock = null;
    }

    private NpgsqlConnection Connection
    {
        get
        {
            if (_connection is { State: System.Data.ConnectionState.Open })
            {
                return _connection;
            }

            if (_began)
            {
                throw new InvalidOperationException($"The connection to PostgreSQL database {_database.Name} broke inside a transaction.");
            }

            // Broken (the server restarted, the network cut): a fresh one from the pool.
            _connection?.Dispose();
            _connection = _database.Open("reach the timers");
            return _connection;
        }
    }

    // One round trip: what waits to be sent, then the given statements.
    private NpgsqlBatch Batch(params NpgsqlBatchCommand[] commands)
    {
        var batch = new NpgsqlBatch(Connection);
        foreach (var pending in _pending)
        {
            batch.BatchCommands.Add(pending);
        }

        _began |= _inTransaction;
        _pending.Clear();
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    // A statement nobody waits on: with the next round trip inside a transaction, at once outside one.
    private void Send(NpgsqlBatchCommand command)
    {
        Wrote();
        if (_inTransaction)
        {
            _pending.Add(command);
            return;
        }

        using var batch = Batch(command);
        batch.ExecuteNonQuery();
    }

    // The soonest due time read with the last claim no longer holds once this host writes.
    private void Wrote() => _earliestKnown = false;

    private NpgsqlBatchCommand EarliestCommand()
    {
        var earliest = new NpgsqlBatchCommand("""
            SELECT LEAST(
                (SELECT min(due_at) - @early FROM timers WHERE state = 'pending'),
                (SELECT min(lease_until) + 1 FROM timers WHERE state = 'firing' AND claimed_by IS DISTINCT FROM @me))
            """);
        earliest.Parameters.AddWithValue("me", _host);
        earliest.Parameters.AddWithValue("early", ClaimEarlyMs);
        return earliest;
    }

    private NpgsqlBatchCommand NotifyCommand(long dueMs)
    {
        var notify = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload)");
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("payload", Payload(dueMs));
        return notify;
    }

    private static string UserIs(string? user) => user is null ? "user_name IS NULL" : "user_name = @user";

    private static void AddUser(NpgsqlBatchCommand command, string? user)
    {
        if (user is not null)
        {
            command.Parameters.AddWithValue("user", user);
        }
    }

    private void Execute(string sql, string doing)
    {
        try
        {
            using var batch = Batch(new NpgsqlBatchCommand(sql));
            batch.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Explain(_database.Name, doing, ex);
        }
    }

    private string Payload(long dueMs) => string.Create(CultureInfo.InvariantCulture, $"{dueMs} {_host}");

    // A notification from another host: the due time it announced. Its own are ignored; null means some may have been missed.
    private void Heard(string? payload)
    {
        if (payload is null)
        {
            _changed?.Invoke(long.MinValue);
            return;
        }

        var parts = payload.Split(' ', 2);
        if (parts.Length == 2 && parts[1] == _host)
        {
            return;
        }

        _changed?.Invoke(long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var due) ? due : long.MinValue);
    }

    // Every third of the lease, on its own pooled connection. SKIP LOCKED: rows the worker is marking fired are left alone (no deadlock).
    private void Renew()
    {
        if (Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        try
        {
            using var renew = _database.DataSource.CreateCommand("""
                UPDATE timers SET lease_until = $1
                WHERE id IN (SELECT id FROM timers WHERE state = 'firing' AND claimed_by = $2 FOR UPDATE SKIP LOCKED)
                """);
            renew.Parameters.Add(new NpgsqlParameter { Value = _clock.GetUtcNow().ToUnixTimeMilliseconds() + _leaseMs });
            renew.Parameters.Add(new NpgsqlParameter { Value = _host });
            renew.ExecuteNonQuery();
            if (_renewalFailing)
            {
                _renewalFailing = false;
                _log.LogInformation("Timer leases in PostgreSQL database {Database} are renewed again.", _database.Name);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            if (!_renewalFailing)
            {
                _renewalFailing = true;
                _log.LogError("{Problem} Timers this host is firing may be fired again by another host once their lease lapses.", PostgresErrors.Explain(_database.Name, "renew the timer leases", ex).Message);
            }
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private void ReleaseClaims()
    {
        try
        {
            using var release = new NpgsqlCommand("UPDATE timers SET lease_until = 0 WHERE state = 'firing' AND claimed_by = @me", Connection);
            release.Parameters.AddWithValue("me", _host);
            if (release.ExecuteNonQuery() > 0)
            {
                PostgresListener.Notify(Connection, null, Channel, Payload(0));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or StorageException)
        {
            _log.LogWarning("{Problem} Another host takes them over once their lease lapses.", PostgresErrors.Explain(_database.Name, "release this host's timers", ex).Message);
        }
    }
}
