using Liiklus.Storage;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Postgres;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>The cold store contract on a real PostgreSQL, plus the table's layout.</summary>
public sealed class PostgresColdStoreSpecs(PostgresServer postgres) : ColdStoreContract, IClassFixture<PostgresServer>, IAsyncLifetime
{
    private readonly CapturingLoggerProvider _npgsqlLog = new();
    private readonly ILoggerFactory _npgsqlLogging = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace));
    private PostgresColdStore? _store;

    /// <summary>Commands Npgsql says it ran for the store.</summary>
    protected override long Fetches =>
        _npgsqlLog.Lines.Count(line => line.Category.StartsWith("Npgsql.Command", StringComparison.Ordinal) && line.Line.Contains("completed", StringComparison.OrdinalIgnoreCase));

    protected override IColdStore CreateStore(int blockBytes)
    {
        _npgsqlLogging.AddProvider(_npgsqlLog);
        return _store = new PostgresColdStore(new PostgresColdOptions { ConnectionString = postgres.ConnectionString, BlockBytes = blockBytes }, null, _npgsqlLogging);
    }

    protected override async Task CorruptAsync(ColdSegment segment, long position) =>
        await postgres.QueryAsync($"""
            UPDATE liiklus_cold_ranges SET data = set_byte(data, {position}, get_byte(data, {position}) # 90)
            WHERE topic = '{segment.Topic}' AND partition = {segment.Partition} AND base_offset = {segment.BaseOffset} AND next_offset = {segment.NextOffset}
            """);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _npgsqlLogging.Dispose();
    }

    [Fact]
    public async Task Ranges_are_rows_with_the_segment_bytes_stored_out_of_line_uncompressed()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 1, 0, 10, ColdRecords.Range(0, 10), CancellationToken.None);
        await Store.WriteGapAsync(topic, 1, 10, 25, CancellationToken.None);

        Assert.Equal(
            ["0|10|segment|True", "10|25|gap|True"],
            await postgres.RowsAsync($"""
                SELECT base_offset, next_offset, kind, (data IS NULL) = (kind = 'gap') AND size = coalesce(octet_length(data), 0)
                FROM liiklus_cold_ranges WHERE topic = '{topic}' ORDER BY next_offset
                """));
        Assert.Equal("e", await postgres.QueryAsync(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'liiklus_cold_ranges'::regclass AND attname = 'data'"));
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_cold_storage_unavailable()
    {
        await using var store = new PostgresColdStore(new PostgresColdOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={GatewayProcess.FreePort()};Username=postgres;Timeout=2",
            CommandTimeout = TimeSpan.FromSeconds(3),
        });

        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync("t", 0, 0, CancellationToken.None));

        Assert.Equal(StorageUnavailableException.ColdSummary, failure.Summary);
        Assert.Contains("could not find offset 0 of topic 't' partition 0", failure.Message);
    }

    [Fact]
    public async Task Writers_that_both_checked_before_either_inserted_still_leave_one_range()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 0, 0, 10, ColdRecords.Range(0, 10), CancellationToken.None);
        await using var holder = new NpgsqlConnection(postgres.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        // Lets every writer read the table but none insert: without a lock of their own, both would find no
        // overlap and both insert once the table is released.
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE liiklus_cold_ranges IN EXCLUSIVE MODE", holder, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var shorter = Store.WriteSegmentAsync(topic, 0, 10, 20, ColdRecords.Range(10, 20), CancellationToken.None);
        var longer = Store.WriteSegmentAsync(topic, 0, 10, 30, ColdRecords.Range(10, 30), CancellationToken.None);
        await Eventually.Until(
            () => postgres.QueryAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"),
            waiting => waiting == "2",
            "both writers waiting for a lock");
        await hold.RollbackAsync();
        var results = await Task.WhenAll(shorter, longer);

        Assert.Equal([ColdWriteOutcome.Written, ColdWriteOutcome.Conflict], results.Select(result => result.Outcome).Order());
        var ranges = await Store.ListAsync(topic, 0, 0, CancellationToken.None).ToListAsync();
        Assert.Equal(2, ranges.Count);
        Assert.Equal(results.Single(result => result.Outcome == ColdWriteOutcome.Written).ArchivedNext, ranges[1].NextOffset);
    }
}
