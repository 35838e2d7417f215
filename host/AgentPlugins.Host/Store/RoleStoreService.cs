using System.Globalization;
using System.Threading.Channels;
using AgentPlugins.Host.Storage;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Store;

/// <summary>
/// The roles' durable key/value store (<see cref="RoleStoreFile"/>). One worker owns the file and
/// carries out what is asked in batches, one transaction each, off the loop (a role's await never holds
/// the loop on the disk); replies go out after the commit, so a write a role saw succeed is on disk.
/// Each role's keys and values are bounded by <c>storage:roleStoreQuotaKilobytes</c>; a write past it
/// is refused with the role, key and quota, and nothing else is lost.
/// </summary>
internal sealed class RoleStoreService : IRoleStore
{
    private const int BatchLimit = 500;

    private readonly RoleStoreFile _file;
    private readonly long _quotaBytes;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Channel<StoreCommand> _commands = Channel.CreateUnbounded<StoreCommand>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _worker;

    /// <param name="path">The SQLite file (<c>store.db</c> in the data folder).</param>
    /// <param name="quotaBytes">The most a role's keys and values may take, in UTF-8 bytes.</param>
    public RoleStoreService(string path, long quotaBytes, TimeProvider clock, ILogger<RoleStoreService> log)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quotaBytes);
        _file = new RoleStoreFile(path);
        _quotaBytes = quotaBytes;
        _clock = clock;
        _log = log;
    }

    public string Path => _file.Path;

    /// <summary>Opens the file (refusing a damaged, foreign, newer or lost one) and starts the worker.</summary>
    /// <exception cref="StorageException">The file cannot be used.</exception>
    public void Open()
    {
        if (_worker is null)
        {
            _file.Open();
            _worker = Task.Run(RunAsync, CancellationToken.None);
        }
    }

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        Open();
        return Task.CompletedTask;
    }

    public Task<StoredValue?> GetAsync(StoreKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var command = new GetValue(key);
        return Send(command, command.Result, cancellationToken);
    }

    public Task<long?> ReplaceAsync(StoreKey key, string? json, long? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var command = new ReplaceValue(key, json, expectedVersion);
        return Send(command, command.Result, cancellationToken);
    }

    public Task<IReadOnlyList<StoredEntry>> ListAsync(string role, string scope, string prefix, CancellationToken cancellationToken = default)
    {
        var command = new ListValues(role, scope, prefix ?? string.Empty);
        return Send(command, command.Result, cancellationToken);
    }

    /// <summary>Carries out what is queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _commands.Writer.TryComplete();
        if (_worker is not null)
        {
            await _worker.ConfigureAwait(false);
        }

        _file.Dispose();
    }

    private Task<T> Send<T>(StoreCommand command, TaskCompletionSource<T> result, CancellationToken cancellationToken)
    {
        if (_worker is null)
        {
            return Task.FromException<T>(new InvalidOperationException($"The role store {Path} is not open."));
        }

        return _commands.Writer.TryWrite(command)
            ? result.Task.WaitAsync(cancellationToken)
            : Task.FromException<T>(new InvalidOperationException($"The role store {Path} is closed (the host is stopping)."));
    }

    private async Task RunAsync()
    {
        var batch = new List<StoreCommand>(BatchLimit);
        while (await _commands.Reader.ReadBatchAsync(batch, BatchLimit).ConfigureAwait(false))
        {
            Execute(batch);
        }
    }

    // One transaction for the batch (one disk sync for many writes); replies only after the commit.
    private void Execute(List<StoreCommand> batch)
    {
        var replies = new List<Action>(batch.Count);
        var versionBefore = _file.LastVersion;
        var nowMs = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            _file.Begin();
            foreach (var command in batch)
            {
                replies.Add(command switch
                {
                    GetValue get => Reply(get.Result, _file.Get(get.Key)),
                    ReplaceValue replace => Replace(replace, nowMs),
                    ListValues list => Reply<IReadOnlyList<StoredEntry>>(list.Result, _file.List(list.Role, list.Scope, list.Prefix)),
                    _ => throw new InvalidOperationException($"Unknown store command {command.GetType().Name}."),
                });
            }

            _file.Commit();
        }
        catch (Exception ex)
        {
            _file.Rollback();
            _file.ResetVersion(versionBefore);
            var failure = StorageErrors.Explain(Path, batch.Exists(c => c is ReplaceValue) ? "write the role store" : "read the role store", ex);
            _log.LogError("{Problem}", failure.Message);
            foreach (var command in batch)
            {
                Fail(command, failure);
            }

            return;
        }

        foreach (var reply in replies)
        {
            reply();
        }
    }

    private Action Replace(ReplaceValue replace, long nowMs)
    {
        var key = replace.Key;
        var current = _file.Peek(key);
        if (replace.ExpectedVersion is { } expected && (current?.Version ?? 0) != expected)
        {
            return Reply<long?>(replace.Result, null);
        }

        if (replace.Json is null)
        {
            _file.Delete(key);
            return Reply<long?>(replace.Result, 0);
        }

        var bytes = RoleStoreFile.SizeOf(key, replace.Json);
        var oldBytes = current?.Bytes ?? 0;
        var after = _file.Usage(key.Role) - oldBytes + bytes;
        if (bytes > oldBytes && after > _quotaBytes)
        {
            var refusal = QuotaRefusal(key, bytes, after, _quotaBytes);
            return () => replace.Result.TrySetException(refusal);
        }

        return Reply<long?>(replace.Result, _file.Put(key, replace.Json, bytes, nowMs));
    }

    private static Action Reply<T>(TaskCompletionSource<T> result, T value) => () => result.TrySetResult(value);

    private static void Fail(StoreCommand command, Exception ex)
    {
        switch (command)
        {
            case GetValue get:
                get.Result.TrySetException(ex);
                break;
            case ReplaceValue replace:
                replace.Result.TrySetException(ex);
                break;
            case ListValues list:
                list.Result.TrySetException(ex);
                break;
        }
    }

    /// <summary>The refusal of a write past the quota, the same on every provider.</summary>
    internal static StoreQuotaException QuotaRefusal(StoreKey key, long bytes, long after, long quotaBytes) => new(
        $"Role {key.Role}: storing '{key.Key}' ({Size(bytes)}) would take the role's store to {Size(after)}, over its quota of {Size(quotaBytes)} (storage:roleStoreQuotaKilobytes); nothing was written.");

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.##} MB")
        : bytes >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB") : $"{bytes} bytes";
}
