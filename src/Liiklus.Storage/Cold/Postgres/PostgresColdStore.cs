using System.Runtime.CompilerServices;
using Liiklus.Storage.Cold.Format;
using Liiklus.Storage.Positions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Liiklus.Storage.Cold.Postgres;

/// <summary>
/// A cold store in PostgreSQL: segments as rows, one row per range in <see cref="Table"/>, a segment's bytes in the
/// same format as in S3 in a <c>bytea</c> column stored uncompressed out of line (<c>STORAGE EXTERNAL</c>), so that
/// <c>substring</c> reads only the pages of the block asked for. The primary key (topic, partition, next, base)
/// finds the range holding an offset with one index lookup. A write checks and inserts under a transaction-scoped
/// advisory lock of its partition, so racing writers take turns.
/// </summary>
public sealed class PostgresColdStore : IColdStore, IAsyncDisposable
{
    public const string Table = "liiklus_cold_ranges";

    private const string CreateTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
          topic text NOT NULL,
          partition int NOT NULL,
          next_offset bigint NOT NULL,
          base_offset bigint NOT NULL,
          kind text NOT NULL CHECK (kind IN ('segment', 'gap')),
          size bigint NOT NULL,
          data bytea,
          written_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (topic, partition, next_offset, base_offset)
        );
        ALTER TABLE {Table} ALTER COLUMN data SET STORAGE EXTERNAL;
        """;

    private const string Lock = "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2::text, 0))";

    // The ranges ending after an offset, and the last range whatever it ends at: what a write is checked against.
    private const string SelectForWrite = $"""
        SELECT base_offset, next_offset, kind, size FROM {Table}
        WHERE topic = $1 AND partition = $2
          AND (next_offset > $3 OR next_offset = (SELECT max(next_offset) FROM {Table} WHERE topic = $1 AND partition = $2))
        """;

    private const string Insert = $"""
        INSERT INTO {Table} (topic, partition, next_offset, base_offset, kind, size, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
        """;

    private const string SelectAfter = $"""
        SELECT base_offset, next_offset, kind, size FROM {Table}
        WHERE topic = $1 AND partition = $2 AND next_offset > $3 ORDER BY next_offset, base_offset LIMIT $4
        """;

    private const string SelectArchivedNext = $"SELECT max(next_offset) FROM {Table} WHERE topic = $1 AND partition = $2";

    private const string SelectPartitions = $"SELECT DISTINCT topic, partition FROM {Table} WHERE $1::text IS NULL OR topic = $1 ORDER BY topic, partition";

    private const string SelectBytes = $"""
        SELECT substring(data FROM $5 FOR $6) FROM {Table}
        WHERE topic = $1 AND partition = $2 AND next_offset = $3 AND base_offset = $4 AND kind = 'segment'
        """;

    private const string UndefinedTable = "42P01";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresColdOptions _options;
    private readonly string _store;
    private readonly OutageReport _outages;
    private volatile bool _tableExists;

    public PostgresColdStore(PostgresColdOptions options, ILogger? logger = null)
        : this(options, logger, npgsqlLogging: null)
    {
    }

    /// <param name="npgsqlLogging">Npgsql's own log (every command), for specs that count round trips</param>
    internal PostgresColdStore(PostgresColdOptions options, ILogger? logger, ILoggerFactory? npgsqlLogging)
    {
        _options = options;
        _store = $"PostgreSQL cold store at {options.Endpoint}";
        _outages = new OutageReport(logger ?? NullLogger.Instance, _store);
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        if (npgsqlLogging is not null)
        {
            builder.UseLoggerFactory(npgsqlLogging);
        }

        _dataSource = builder.Build();
    }

    public Task<ColdWriteResult> WriteSegmentAsync(
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        IReadOnlyList<ColdRecord> records,
        CancellationToken cancellationToken)
    {
        var bytes = ColdSegmentWriter.Write(topic, partition, baseOffset, nextOffset, records, _options.BlockBytes);
        return WriteAsync(topic, partition, baseOffset, nextOffset, bytes, cancellationToken);
    }

    public Task<ColdWriteResult> WriteGapAsync(string topic, int partition, long fromOffset, long toOffset, CancellationToken cancellationToken)
    {
        ColdSegmentWriter.CheckRange(fromOffset, toOffset);
        return WriteAsync(topic, partition, fromOffset, toOffset, bytes: null, cancellationToken);
    }

    public Task<ColdRange?> FindAsync(string topic, int partition, long offset, CancellationToken cancellationToken) =>
        RunAsync(
            $"find offset {offset} of topic '{topic}' partition {partition}",
            async deadline => ColdChain.Covering(await SelectAfterAsync(topic, partition, offset, 10, deadline).ConfigureAwait(false), offset),
            cancellationToken);

    public Task<long?> GetArchivedNextAsync(string topic, int partition, CancellationToken cancellationToken) =>
        RunAsync(
            $"read the archived next offset of topic '{topic}' partition {partition}",
            async deadline =>
            {
                await using var command = _dataSource.CreateCommand(SelectArchivedNext);
                AddPartition(command, topic, partition);
                return await command.ExecuteScalarAsync(deadline).ConfigureAwait(false) is long next ? next : (long?)null;
            },
            cancellationToken);

    public async IAsyncEnumerable<ColdRange> ListAsync(
        string topic,
        int partition,
        long fromOffset,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ranges = await RunAsync(
            $"list topic '{topic}' partition {partition} from offset {fromOffset}",
            deadline => SelectAfterAsync(topic, partition, fromOffset, int.MaxValue, deadline),
            cancellationToken).ConfigureAwait(false);
        foreach (var range in ranges.OrderBy(range => range.BaseOffset).ThenBy(range => range.NextOffset))
        {
            yield return range;
        }
    }

    public Task<IReadOnlyList<ColdPartition>> ListPartitionsAsync(string? topic, CancellationToken cancellationToken) =>
        RunAsync(
            topic is null ? "list the archived partitions" : $"list the archived partitions of topic '{topic}'",
            async deadline =>
            {
                await using var command = _dataSource.CreateCommand(SelectPartitions);
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)topic ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                var partitions = new List<ColdPartition>();
                await using var reader = await command.ExecuteReaderAsync(deadline).ConfigureAwait(false);
                while (await reader.ReadAsync(deadline).ConfigureAwait(false))
                {
                    partitions.Add(new ColdPartition(reader.GetString(0), reader.GetInt32(1)));
                }

                IReadOnlyList<ColdPartition> found = partitions;
                return found;
            },
            cancellationToken);

    public Task<ColdSegmentIndex> ReadIndexAsync(ColdSegment segment, CancellationToken cancellationToken) =>
        RunAsync(
            $"read the footer of {segment.Key}",
            deadline => ColdSegmentReader.FetchIndexAsync(segment, (position, length) => ReadBytesAsync(segment, position, length, deadline)),
            cancellationToken);

    public Task<ColdBlock> ReadBlockAsync(ColdSegmentIndex index, int block, CancellationToken cancellationToken) =>
        RunAsync(
            $"read block {block} of {index.Segment.Key}",
            deadline => ColdSegmentReader.FetchBlockAsync(index, block, (position, length) => ReadBytesAsync(index.Segment, position, length, deadline)),
            cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private Task<ColdWriteResult> WriteAsync(string topic, int partition, long baseOffset, long nextOffset, byte[]? bytes, CancellationToken cancellationToken) =>
        RunAsync(
            $"write [{baseOffset}, {nextOffset}) of topic '{topic}' partition {partition}",
            async deadline =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(deadline).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(deadline).ConfigureAwait(false);
                await using (var lockCommand = new NpgsqlCommand(Lock, connection, transaction))
                {
                    AddPartition(lockCommand, topic, partition);
                    await lockCommand.ExecuteNonQueryAsync(deadline).ConfigureAwait(false);
                }

                List<ColdRange> existing;
                await using (var select = new NpgsqlCommand(SelectForWrite, connection, transaction))
                {
                    AddPartition(select, topic, partition);
                    select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = baseOffset });
                    existing = await ReadRangesAsync(select, topic, partition, deadline).ConfigureAwait(false);
                }

                var outcome = ColdChain.Check(existing, bytes is not null, baseOffset, nextOffset);
                if (outcome is { } refused)
                {
                    return new ColdWriteResult(refused, ColdChain.ArchivedNext(existing));
                }

                await using (var insert = new NpgsqlCommand(Insert, connection, transaction))
                {
                    AddPartition(insert, topic, partition);
                    insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nextOffset });
                    insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = baseOffset });
                    insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bytes is null ? "gap" : "segment", NpgsqlDbType = NpgsqlDbType.Text });
                    insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bytes?.Length ?? 0 });
                    insert.Parameters.Add(new NpgsqlParameter { Value = (object?)bytes ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
                    await insert.ExecuteNonQueryAsync(deadline).ConfigureAwait(false);
                }

                await transaction.CommitAsync(deadline).ConfigureAwait(false);
                existing.Add(new ColdGap(topic, partition, baseOffset, nextOffset));
                return new ColdWriteResult(ColdWriteOutcome.Written, ColdChain.ArchivedNext(existing));
            },
            cancellationToken);

    private async Task<List<ColdRange>> SelectAfterAsync(string topic, int partition, long offset, int limit, CancellationToken deadline)
    {
        await using var command = _dataSource.CreateCommand(SelectAfter);
        AddPartition(command, topic, partition);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = offset });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        return await ReadRangesAsync(command, topic, partition, deadline).ConfigureAwait(false);
    }

    private static async Task<List<ColdRange>> ReadRangesAsync(NpgsqlCommand command, string topic, int partition, CancellationToken deadline)
    {
        var ranges = new List<ColdRange>();
        await using var reader = await command.ExecuteReaderAsync(deadline).ConfigureAwait(false);
        while (await reader.ReadAsync(deadline).ConfigureAwait(false))
        {
            var (baseOffset, nextOffset) = (reader.GetInt64(0), reader.GetInt64(1));
            ranges.Add(reader.GetString(2) == "segment"
                ? new ColdSegment(topic, partition, baseOffset, nextOffset, ColdKeys.Segment(topic, partition, baseOffset, nextOffset), reader.GetInt64(3))
                : new ColdGap(topic, partition, baseOffset, nextOffset));
        }

        return ranges;
    }

    private async Task<byte[]> ReadBytesAsync(ColdSegment segment, long position, int length, CancellationToken deadline)
    {
        await using var command = _dataSource.CreateCommand(SelectBytes);
        AddPartition(command, segment.Topic, segment.Partition);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = segment.NextOffset });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = segment.BaseOffset });
        // SQL counts from 1.
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = checked((int)position + 1) });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = length });
        return await command.ExecuteScalarAsync(deadline).ConfigureAwait(false) as byte[]
            ?? throw new ColdSegmentCorruptException(segment.Key, null, "it is not in the table (deleted after it was listed)");
    }

    private static void AddPartition(NpgsqlCommand command, string topic, int partition)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
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
            throw Unavailable($"{_store} did not answer within {_options.CommandTimeout.TotalSeconds:0.###}s: could not {what}", e);
        }
        catch (PostgresException e) when (e.SqlState == UndefinedTable)
        {
            _tableExists = false;
            throw Unavailable($"{_store} lost its table {Table}: could not {what}", e);
        }
        catch (NpgsqlException e)
        {
            throw Unavailable($"{_store} is unavailable: could not {what}: {(e is PostgresException server ? $"{server.SqlState} {server.MessageText}" : e.InnerException?.Message ?? e.Message)}", e);
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

    private StorageUnavailableException Unavailable(string detail, Exception inner)
    {
        var failure = StorageUnavailableException.Cold(detail, inner);
        _outages.Failed(failure);
        return failure;
    }
}
