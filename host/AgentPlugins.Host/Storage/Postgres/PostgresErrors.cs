using System.Net.Sockets;
using Npgsql;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>Turns Npgsql's and PostgreSQL's errors into one line that names the database, the cause and what to do.</summary>
internal static class PostgresErrors
{
    /// <summary>A failed statement or connection to <paramref name="database"/> (<c>host:port/db</c>) in words a user can act on.</summary>
    public static StorageException Explain(string database, string doing, Exception ex) => ex switch
    {
        StorageException storage => storage,
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
            new StorageException(database, $"Could not {doing}: PostgreSQL database {database} refused the login ({pg.MessageText}). Check the user and password in the connection string (storage:connectionString or the variable storage:connectionStringVariable names).", ex),
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } pg =>
            new StorageException(database, $"Could not {doing}: PostgreSQL database {database} does not exist ({pg.MessageText}). Create it first (createdb), then start the host.", ex),
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg =>
            new StorageException(database, $"Could not {doing}: the host's user may not do that in PostgreSQL database {database} ({pg.MessageText}). Grant it the right to create and change tables in the database's schema.", ex),
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } pg =>
            new StorageException(database, $"Could not {doing}: the disk of PostgreSQL database {database} is full ({pg.MessageText}); what was saved before is kept.", ex),
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow } pg =>
            new StorageException(database, $"Could not {doing}: PostgreSQL database {database} is shutting down or starting ({pg.MessageText}); tried again later.", ex),
        PostgresException pg =>
            new StorageException(database, $"Could not {doing} in PostgreSQL database {database}: {pg.MessageText} (SQLSTATE {pg.SqlState}).", ex),
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } =>
            new StorageException(database, $"Could not {doing}: PostgreSQL database {database} cannot be reached ({Innermost(ex).Message}). Check that the server runs and the connection string's host and port.", ex),
        TimeoutException or NpgsqlException { InnerException: TimeoutException } =>
            new StorageException(database, $"Could not {doing}: PostgreSQL database {database} did not answer in time ({ex.Message}).", ex),
        _ => new StorageException(database, $"Could not {doing} in PostgreSQL database {database}: {ex.Message}", ex),
    };

    private static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;
}
