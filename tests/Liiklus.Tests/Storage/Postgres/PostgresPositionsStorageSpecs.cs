using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Postgres;

/// <summary>The positions contract on a real PostgreSQL, plus the table's layout, read and written with plain SQL.</summary>
public sealed class PostgresPositionsStorageSpecs(PostgresServer postgres)
    : PositionsStorageContract, IClassFixture<PostgresServer>, IAsyncLifetime
{
    private readonly PostgresPositionsStorage _storage = new(postgres.Options);

    protected override IPositionsStorage CreateStorage() => _storage;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _storage.DisposeAsync();

    [Fact]
    public async Task Positions_are_one_row_per_partition_with_group_name_and_version_apart()
    {
        var topic = NewTopic();
        var before = await postgres.QueryAsync("SELECT now()::text");

        await Storage.UpdateAsync(topic, new GroupId("orders", 3), 7, 12345, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("orders", 0), 1, 0, CancellationToken.None);

        Assert.Equal(
            [$"{topic}|orders|0|1|0", $"{topic}|orders|3|7|12345"],
            await postgres.RowsAsync(
                $"""SELECT topic, group_name, group_version, partition, "offset" FROM liiklus_positions WHERE topic = '{topic}' ORDER BY group_version"""));
        Assert.Equal("2", await postgres.QueryAsync(
            $"SELECT count(*) FROM liiklus_positions WHERE topic = '{topic}' AND updated_at >= '{before}'::timestamptz"));
    }

    [Fact]
    public async Task The_table_has_the_documented_columns_and_primary_key()
    {
        await Storage.UpdateAsync(NewTopic(), new GroupId("g", 0), 0, 1, CancellationToken.None);

        Assert.Equal(
            ["topic|text", "group_name|text", "group_version|integer", "partition|integer", "offset|bigint", "updated_at|timestamp with time zone"],
            await postgres.RowsAsync(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'liiklus_positions' ORDER BY ordinal_position"));
        Assert.Equal(
            ["topic", "group_name", "group_version", "partition"],
            await postgres.RowsAsync("""
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = 'liiklus_positions'::regclass AND i.indisprimary
                ORDER BY array_position(i.indkey, a.attnum)
                """));
    }

    [Fact]
    public async Task An_ack_replaces_the_row_in_place_and_moves_its_time()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(topic, new GroupId("g", 1), 2, 10, CancellationToken.None);
        await postgres.QueryAsync($"UPDATE liiklus_positions SET updated_at = '2000-01-01Z' WHERE topic = '{topic}'");

        await Storage.UpdateAsync(topic, new GroupId("g", 1), 2, 11, CancellationToken.None);

        Assert.Equal(
            [$"{topic}|11|True"],
            await postgres.RowsAsync(
                $"""SELECT topic, "offset", updated_at > '2000-01-01Z' FROM liiklus_positions WHERE topic = '{topic}'"""));
    }

    [Fact]
    public async Task Rows_written_by_another_program_are_read()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(NewTopic(), new GroupId("g", 0), 0, 0, CancellationToken.None);
        await postgres.QueryAsync($"""
            INSERT INTO liiklus_positions (topic, group_name, group_version, partition, "offset", updated_at)
            VALUES ('{topic}', 'billing', 0, 0, 41, now()), ('{topic}', 'billing', 0, 5, 42, now()), ('{topic}', 'billing', 2, 0, 7, now())
            """);

        Assert.Equal(new Dictionary<int, long> { [0] = 41, [5] = 42 }, await Storage.GetAsync(topic, new GroupId("billing", 0), CancellationToken.None));
        var all = await Storage.GetAllVersionsAsync(topic, "billing", CancellationToken.None);
        Assert.Equal([0u, 2u], all.Keys.Order());
        Assert.Equal(new Dictionary<int, long> { [0] = 7 }, all[2]);
    }

    [Fact]
    public async Task Listing_reads_rows_another_program_wrote_and_passes_over_negative_ones()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(NewTopic(), new GroupId("g", 0), 0, 0, CancellationToken.None);
        await postgres.QueryAsync($"""
            INSERT INTO liiklus_positions (topic, group_name, group_version, partition, "offset", updated_at)
            VALUES ('{topic}', 'billing', 0, 0, 41, now()), ('{topic}', 'billing', 0, 5, 42, now()), ('{topic}', 'billing', 2, 0, 7, now()),
                   ('{topic}', 'stray', -1, 0, 1, now()), ('{topic}', 'stray', 1, -1, 1, now())
            """);

        var byTopic = await Storage.ListGroupsAsync(topic, CancellationToken.None);
        var all = await Storage.ListGroupsAsync(topic: null, CancellationToken.None);

        var billing = Assert.Single(byTopic);
        Assert.Equal("billing", billing.GroupName);
        Assert.Equal([0u, 2u], billing.Versions.Keys);
        Assert.Equal(new Dictionary<int, long> { [0] = 41, [5] = 42 }, billing.Versions[0]);
        Assert.Equal(2u, billing.LatestVersion);
        Assert.Equal(["billing"], all.Where(group => group.Topic == topic).Select(group => group.GroupName));
    }

    [Fact]
    public async Task A_group_version_the_int_column_cannot_hold_is_refused_naming_the_field()
    {
        var refused = await Assert.ThrowsAsync<PositionOutOfRangeException>(() =>
            Storage.UpdateAsync(NewTopic(), new GroupId("g", (uint)int.MaxValue + 1), 0, 1, CancellationToken.None));

        Assert.Equal("group_version", refused.Field);
        Assert.Contains("2147483648", refused.Message);
        Assert.Empty(await Storage.GetAsync(NewTopic(), new GroupId("g", uint.MaxValue), CancellationToken.None));
    }

    [Fact]
    public async Task A_table_dropped_under_a_running_storage_is_created_again()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var storage = new PostgresPositionsStorage(new PostgresPositionsOptions { ConnectionString = postgres.ConnectionStringTo(database) });
        var topic = NewTopic();
        await storage.UpdateAsync(topic, new GroupId("g", 0), 0, 1, CancellationToken.None);
        await postgres.QueryAsync("DROP TABLE liiklus_positions", database);

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, new GroupId("g", 0), 0, 2, CancellationToken.None)),
            succeeded => succeeded,
            "an ack after the table was dropped");

        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, await storage.GetAsync(topic, new GroupId("g", 0), CancellationToken.None));
    }
}
