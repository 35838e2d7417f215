using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster for tests and benches: initdb + pg_ctl from Debian's postgresql
/// (tests/setup/install-postgresql.sh installs it) in a temporary folder, on a free loopback port and a
/// unix socket in that folder, fsync off. PostgreSQL refuses to run as root, so as root the cluster
/// runs as the <c>postgres</c> system user, owning the folder. One cluster per test run (a collection
/// fixture); <see cref="CreateDatabaseAsync"/> gives each test a fresh database. Disposing stops the
/// server and removes the folder.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private const string SystemUser = "postgres";
    private const string Superuser = "postgres";

    private readonly string _bin;
    private readonly bool _asSystemUser;
    private int _databases;
    private bool _running;

    public PostgresCluster()
    {
        _bin = FindBinaries();
        _asSystemUser = Environment.UserName == "root";
        Folder = Path.Combine(Path.GetTempPath(), "agentplugins-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Folder);
        try
        {
            if (_asSystemUser)
            {
                Run("chown", [$"{SystemUser}:{SystemUser}", Folder], asSystemUser: false);
            }

            Port = FreePort();
            var data = Path.Combine(Folder, "data");
            Run(Path.Combine(_bin, "initdb"), ["-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"]);
            var settings = string.Join(' ', [
                $"-p {Port}", $"-k {Folder}", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
                "-c full_page_writes=off", "-c max_connections=400", "-c shared_buffers=64MB", "-c log_min_messages=warning",

                // Statements per database (StatementCallsAsync), and each statement in server.log for a database that asks (LogStatementsAsync).
                "-c shared_preload_libraries=pg_stat_statements", "-c log_line_prefix=%m,db=%d,",
            ]);
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-o", settings, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60", "start"]);
            _running = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The cluster's folder (data directory, socket, server.log).</summary>
    public string Folder { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>A connection string to <paramref name="database"/> on this cluster as its superuser (trust authentication, no password).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}");
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return ConnectionString(name);
    }

    /// <summary>
    /// How many statements the database named in <paramref name="connectionString"/> has run so far, in all
    /// (<c>pg_stat_statements</c>, preloaded by this cluster), and the most called ones with their counts.
    /// </summary>
    public async Task<(long Calls, IReadOnlyList<(string Query, long Calls)> Top)> StatementCallsAsync(string connectionString, int top = 0, CancellationToken cancellationToken = default)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var query = new NpgsqlCommand("""
            SELECT query, calls FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) ORDER BY calls DESC
            """, connection);
        query.Parameters.Add(new NpgsqlParameter { Value = database });
        long calls = 0;
        var most = new List<(string, long)>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            calls += reader.GetInt64(1);
            if (most.Count < top)
            {
                most.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        return (calls, most);
    }

    /// <summary>From now on, every statement a new connection to the database runs is written to server.log (<see cref="LoggedStatements"/>).</summary>
    public async Task LogStatementsAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" SET log_statement = 'all'", connection);
        await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where server.log ends now: pass it to <see cref="LoggedStatements"/> for what is logged after it.</summary>
    public long LogPosition => new FileInfo(Path.Combine(Folder, "server.log")).Length;

    /// <summary>The statements logged for the database (see <see cref="LogStatementsAsync"/>) after <paramref name="from"/>, first lines only.</summary>
    public IReadOnlyList<string> LoggedStatements(string connectionString, long from)
    {
        var prefix = $",db={new NpgsqlConnectionStringBuilder(connectionString).Database},LOG:  ";
        using var file = new FileStream(Path.Combine(Folder, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(from, SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        var statements = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            // "statement: SQL" (simple protocol) or "execute <name>: SQL" (extended protocol).
            var at = line.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0 && line.AsSpan(at + prefix.Length) is var message && (message.StartsWith("statement: ") || message.StartsWith("execute ")))
            {
                statements.Add(message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..].ToString());
            }
        }

        return statements;
    }

    public void Dispose()
    {
        if (_running)
        {
            _running = false;
            NpgsqlConnection.ClearAllPools();
            try
            {
                Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(Folder, "data"), "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already gone (killed with the test run); the folder is removed all the same.
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp eventually.
        }
    }

    // pg_config's bindir when it holds the server (Debian's points at the client's), else the newest /usr/lib/postgresql/N/bin.
    private static string FindBinaries()
    {
        var candidates = new List<string>();
        try
        {
            using var pgConfig = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (pgConfig is not null)
            {
                var bindir = pgConfig.StandardOutput.ReadToEnd().Trim();
                pgConfig.WaitForExit();
                candidates.Add(bindir);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config on PATH: look where Debian puts the server.
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL's server binaries (initdb, pg_ctl) are not installed; run tests/setup/install-postgresql.sh (or 'apt-get install postgresql').");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Run(string program, IReadOnlyList<string> arguments) => Run(program, arguments, _asSystemUser);

    private static void Run(string program, IReadOnlyList<string> arguments, bool asSystemUser)
    {
        var start = new ProcessStartInfo(asSystemUser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asSystemUser)
        {
            foreach (var argument in (string[])["-u", SystemUser, "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");

        // Read both streams to the end before waiting: pg_ctl's server keeps neither open, but a full pipe would block it.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} did not finish in 120 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }
}
