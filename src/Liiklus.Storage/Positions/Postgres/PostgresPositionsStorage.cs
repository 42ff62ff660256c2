using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Liiklus.Storage.Positions.Postgres;

/// <summary>
/// Positions in PostgreSQL: one row per (topic, group name, group version, partition) in
/// <see cref="Table"/>, created when missing. An ack is one upsert (last write wins), a single statement in one
/// round trip. Every call answers within <see cref="PostgresPositionsOptions.CommandTimeout"/> (or the caller's
/// token, if sooner); a server that cannot be reached or does not answer is a <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed class PostgresPositionsStorage : IPositionsStorage, IAsyncDisposable
{
    public const string Table = "liiklus_positions";

    private const string CreateTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
          topic text NOT NULL,
          group_name text NOT NULL,
          group_version int NOT NULL,
          partition int NOT NULL,
          "offset" bigint NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (topic, group_name, group_version, partition)
        )
        """;

    private const string Upsert = $"""
        INSERT INTO {Table} (topic, group_name, group_version, partition, "offset", updated_at)
        VALUES ($1, $2, $3, $4, $5, now())
        ON CONFLICT (topic, group_name, group_version, partition)
        DO UPDATE SET "offset" = excluded."offset", updated_at = excluded.updated_at
        """;

    private const string DeleteVersion =
        $"""DELETE FROM {Table} WHERE topic = $1 AND group_name = $2 AND group_version = $3""";

    private const string SelectVersion =
        $"""SELECT group_version, partition, "offset" FROM {Table} WHERE topic = $1 AND group_name = $2 AND group_version = $3""";

    private const string SelectAllVersions =
        $"""SELECT group_version, partition, "offset" FROM {Table} WHERE topic = $1 AND group_name = $2""";

    private const string SelectEveryGroup =
        $"""SELECT topic, group_name, group_version, partition, "offset" FROM {Table}""";

    private const string SelectGroupsOfTopic =
        $"""SELECT topic, group_name, group_version, partition, "offset" FROM {Table} WHERE topic = $1""";

    // PostgreSQL's "undefined_table": the table was dropped after this storage created it.
    private const string UndefinedTable = "42P01";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresPositionsOptions _options;
    private readonly string _store;
    private readonly OutageReport _outages;
    private volatile bool _tableExists;

    /// <exception cref="ArgumentException">the connection string is not valid Npgsql syntax</exception>
    public PostgresPositionsStorage(PostgresPositionsOptions options, ILogger? logger = null)
    {
        _options = options;
        _store = $"PostgreSQL positions storage at {options.Endpoint}";
        _outages = new OutageReport(logger ?? NullLogger.Instance, _store);
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            // Only this storage uses these connections and it changes no session state, so a connection taken
            // from the pool needs no DISCARD ALL first: an ack stays one statement.
            NoResetOnClose = true,
        };
        _dataSource = new NpgsqlDataSourceBuilder(connection.ConnectionString).Build();
    }

    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken)
    {
        var version = StorableVersion(group.Version)
            ?? throw new PositionOutOfRangeException(
                "group_version",
                $"{group.Version} is beyond the largest version the PostgreSQL positions storage keeps, {int.MaxValue}");
        return RunAsync(
            $"store offset {offset} of topic '{topic}', group '{group.Name}' version {group.Version}, partition {partition}",
            async deadline =>
            {
                await using var command = _dataSource.CreateCommand(Upsert);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = group.Name, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = offset });
                return await command.ExecuteNonQueryAsync(deadline).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        if (StorableVersion(group.Version) is not { } version)
        {
            // Nothing can have been stored for it.
            return Task.CompletedTask;
        }

        return RunAsync(
            $"delete the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            async deadline =>
            {
                await using var command = _dataSource.CreateCommand(DeleteVersion);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = group.Name, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                return await command.ExecuteNonQueryAsync(deadline).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        if (StorableVersion(group.Version) is not { } version)
        {
            // Nothing can have been stored for it.
            return new Dictionary<int, long>();
        }

        var versions = await RunAsync(
            $"read the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            deadline => QueryAsync(SelectVersion, topic, group.Name, version, deadline),
            cancellationToken).ConfigureAwait(false);
        return versions.TryGetValue(group.Version, out var positions) ? positions : new Dictionary<int, long>();
    }

    /// <summary>Every version this storage finds: it lists a name's versions.</summary>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        GetAllVersionsAsync(topic, reader.Name, cancellationToken);

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        RunAsync(
            $"read the positions of every version of topic '{topic}', group '{groupName}'",
            deadline => QueryAsync(SelectAllVersions, topic, groupName, version: null, deadline),
            cancellationToken);

    /// <remarks>
    /// One query, of the table or of the topic's rows (the primary key's first column), never kept. A row with a
    /// negative version or partition is passed over.
    /// </remarks>
    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        RunAsync(
            topic is null ? "list the stored groups" : $"list the stored groups of topic '{topic}'",
            async deadline =>
            {
                await using var command = _dataSource.CreateCommand(topic is null ? SelectEveryGroup : SelectGroupsOfTopic);
                if (topic is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic, NpgsqlDbType = NpgsqlDbType.Text });
                }

                var versions = new Dictionary<(string Topic, string Name, uint Version), Dictionary<int, long>>();
                await using var reader = await command.ExecuteReaderAsync(deadline).ConfigureAwait(false);
                while (await reader.ReadAsync(deadline).ConfigureAwait(false))
                {
                    var (rowTopic, name, version, partition) = (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3));
                    if (version < 0 || partition < 0)
                    {
                        // Written by something else: left out of the listing rather than failing the listing of
                        // every group; reading that group's positions still refuses it loudly.
                        continue;
                    }

                    if (!versions.TryGetValue((rowTopic, name, (uint)version), out var positions))
                    {
                        versions[(rowTopic, name, (uint)version)] = positions = [];
                    }

                    positions[partition] = reader.GetInt64(4);
                }

                return StoredGroups.Of(versions.Select(v =>
                    (v.Key.Topic, new GroupId(v.Key.Name, v.Key.Version), (IReadOnlyDictionary<int, long>)v.Value)));
            },
            cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static int? StorableVersion(uint version) => version <= int.MaxValue ? (int)version : null;

    private async Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> QueryAsync(
        string sql,
        string topic,
        string groupName,
        int? version,
        CancellationToken deadline)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = groupName, NpgsqlDbType = NpgsqlDbType.Text });
        if (version is { } exactly)
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = exactly });
        }

        var all = new Dictionary<uint, Dictionary<int, long>>();
        await using var reader = await command.ExecuteReaderAsync(deadline).ConfigureAwait(false);
        while (await reader.ReadAsync(deadline).ConfigureAwait(false))
        {
            var rowVersion = reader.GetInt32(0);
            var partition = reader.GetInt32(1);
            if (rowVersion < 0 || partition < 0)
            {
                // Only something other than this storage writes such rows; guessing could skip or replay records.
                throw new InvalidDataException(
                    $"{Table} holds a row of topic '{topic}', group '{groupName}' with version {rowVersion} and partition {partition}; neither may be negative");
            }

            if (!all.TryGetValue((uint)rowVersion, out var positions))
            {
                all[(uint)rowVersion] = positions = [];
            }

            positions[partition] = reader.GetInt64(2);
        }

        return all.ToDictionary(pair => pair.Key, IReadOnlyDictionary<int, long> (pair) => pair.Value);
    }

    private async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Deadline.RunAsync(
                _options.CommandTimeout,
                async deadline =>
                {
                    if (!_tableExists)
                    {
                        await CreateTableAsync(deadline).ConfigureAwait(false);
                    }

                    return await operation(deadline).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            _outages.Succeeded();
            return result;
        }
        catch (TimeoutException e)
        {
            throw Unavailable(StorageUnavailableException.Positions($"{_store} did not answer within {_options.CommandTimeout.TotalSeconds:0.###}s: could not {what}", e));
        }
        catch (PostgresException e) when (e.SqlState == UndefinedTable)
        {
            // Created again on the next call; this one fails, as the table it wrote to was gone.
            _tableExists = false;
            throw Unavailable(StorageUnavailableException.Positions($"{_store} lost its table {Table}: could not {what}", e));
        }
        catch (NpgsqlException e)
        {
            // Down, refusing connections, out of connections, in recovery, or refusing the credentials: every one
            // may pass without a restart of the gateway, so the caller may try again later.
            throw Unavailable(StorageUnavailableException.Positions($"{_store} is unavailable: could not {what}: {Describe(e)}", e));
        }
    }

    private async Task CreateTableAsync(CancellationToken deadline)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(CreateTable);
            await command.ExecuteNonQueryAsync(deadline).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another node created it at the same moment: IF NOT EXISTS does not cover that race.
        }

        _tableExists = true;
    }

    private StorageUnavailableException Unavailable(StorageUnavailableException failure)
    {
        _outages.Failed(failure);
        return failure;
    }

    // A server's error says what it refused (its SQLSTATE and text); a network error's message is Npgsql's own.
    private static string Describe(NpgsqlException e) =>
        e is PostgresException server ? $"{server.SqlState} {server.MessageText}" : e.InnerException?.Message ?? e.Message;
}
