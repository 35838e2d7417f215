using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>
/// <c>LISTEN</c> on one channel of the shared database, on a connection of its own: each
/// notification's payload goes to <c>notified</c> (on the listener's task, never the loop). A lost
/// connection is opened again with back-off, and <c>notified(null)</c> then says notifications may
/// have been missed, so the caller looks at the database again. An idle connection is probed every
/// 30 s, so a silently cut network is noticed.
/// </summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(15);

    private readonly PostgresDatabase _database;
    private readonly string _channel;
    private readonly Action<string?> _notified;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _run;

    /// <param name="channel">A channel name: lower-case letters, digits and underscores.</param>
    public PostgresListener(PostgresDatabase database, string channel, Action<string?> notified, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (string.IsNullOrEmpty(channel) || !channel.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException($"'{channel}' is not a plain channel name.", nameof(channel));
        }

        _database = database;
        _channel = channel;
        _notified = notified;
        _log = log;
    }

    /// <summary>Starts listening; completes once the first <c>LISTEN</c> is in place (notifications sent after it arrive).</summary>
    /// <exception cref="StorageException">The database cannot be reached at the first attempt.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _run ??= Task.Run(RunAsync, CancellationToken.None);
        return _listening.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends <paramref name="payload"/> on <paramref name="channel"/> within <paramref name="connection"/>'s transaction, if any (delivered at its commit).</summary>
    public static void Notify(NpgsqlConnection connection, NpgsqlTransaction? transaction, string channel, string payload)
    {
        using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection, transaction);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        notify.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var retry = FirstRetry;
        var failing = false;
        var first = true;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var connection = await _database.OpenAsync($"listen on {_channel}", _stop.Token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) => _notified(e.Payload);
                    await using (var listen = new NpgsqlCommand($"LISTEN {_channel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false);
                    }

                    if (failing)
                    {
                        _log.LogInformation("Listening on {Channel} in PostgreSQL database {Database} again.", _channel, _database.Name);
                        failing = false;
                    }

                    retry = FirstRetry;
                    _listening.TrySetResult();
                    if (!first)
                    {
                        // Notifications sent while the connection was down are gone: the caller looks again.
                        _notified(null);
                    }

                    first = false;
                    while (true)
                    {
                        if (!await connection.WaitAsync(Probe, _stop.Token).ConfigureAwait(false))
                        {
                            await using var probe = new NpgsqlCommand("SELECT 1", connection);
                            await probe.ExecuteScalarAsync(_stop.Token).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or StorageException or TimeoutException or IOException or InvalidOperationException)
            {
                var problem = ex is StorageException ? ex : PostgresErrors.Explain(_database.Name, $"listen on {_channel}", ex);
                if (first)
                {
                    _listening.TrySetException(problem);
                    first = false;
                }

                if (!failing)
                {
                    _log.LogWarning("{Problem} Trying again with back-off up to {Longest}.", problem.Message, LongestRetry);
                    failing = true;
                }

                try
                {
                    await Task.Delay(retry, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
            }
        }

        _listening.TrySetCanceled();
    }
}
