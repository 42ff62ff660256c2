using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Tests.Support;
using Npgsql;
using Xunit;

namespace Liiklus.Tests.Storage.Postgres;

/// <summary>
/// The outage contract with PostgreSQL down, blocked or not there yet. These tests take their server down, so it
/// is theirs alone.
/// </summary>
public sealed class PostgresOutageSpecs(PostgresServer postgres) : PositionsStorageOutageContract, IClassFixture<PostgresServer>
{
    private PostgresPositionsOptions Options => postgres.Options with { CommandTimeout = CommandTimeout };

    protected override string StoreName => $"PostgreSQL positions storage at 127.0.0.1:{postgres.Port}/postgres";

    public override async Task InitializeAsync()
    {
        // A test that stopped the server must not leave it stopped for the next one.
        if (!postgres.IsRunning)
        {
            await postgres.StartAsync();
        }
    }

    protected override IPositionsStorage CreateStorage(TimeSpan commandTimeout) =>
        new PostgresPositionsStorage(Options with { CommandTimeout = commandTimeout });

    protected override Task TakeStoreDownAsync() => postgres.StopAsync();

    protected override Task BringStoreBackAsync() => postgres.StartAsync();

    protected override async Task<IPositionsStorage> StorageWithoutAnswersAsync(TimeSpan commandTimeout)
    {
        var storage = NewStorage(commandTimeout);
        // Its first call creates the table, which the lock needs.
        await storage.UpdateAsync(NewTopic(), Group, 0, 1, CancellationToken.None);
        await LockThePositionsTableAsync();
        return storage;
    }

    protected override async Task AssertStoredAsync(string topic, long offset) =>
        Assert.Equal([$"{topic}|{offset}"], await postgres.RowsAsync($"""SELECT topic, "offset" FROM liiklus_positions WHERE topic = '{topic}'"""));

    [Fact]
    public async Task An_ack_blocked_past_the_deadline_answers_unavailable_and_is_cancelled_on_the_server()
    {
        var topic = NewTopic();
        var storage = NewStorage();
        await storage.UpdateAsync(topic, Group, 0, 1, CancellationToken.None);
        var transaction = await LockThePositionsTableAsync();

        var update = await Unavailable(() => storage.UpdateAsync(topic, Group, 0, 2, CancellationToken.None));
        Assert.Contains("did not answer within 1s", update.Message);

        // The abandoned upsert was cancelled by the server, not left queued behind the lock to land later.
        await Eventually.Until(
            () => TryQueryAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"),
            waiting => waiting == "0",
            "the timed-out upsert leaving the lock queue");
        await transaction.CommitAsync();
        Assert.Equal(1, (await storage.GetAsync(topic, Group, CancellationToken.None))[0]);
    }

    /// <summary>Another connection holds the table locked until its transaction ends (at the latest with the test).</summary>
    /// <remarks>
    /// Not from the pool: a pooled connection may be one a test before this one left there, to a server that was
    /// stopped since.
    /// </remarks>
    private async Task<NpgsqlTransaction> LockThePositionsTableAsync()
    {
        var blocker = Owned(new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false"));
        await blocker.OpenAsync();
        var transaction = Owned(await blocker.BeginTransactionAsync());
        await using var lockTable = new NpgsqlCommand("LOCK TABLE liiklus_positions IN ACCESS EXCLUSIVE MODE", blocker, transaction);
        await lockTable.ExecuteNonQueryAsync();
        return transaction;
    }

    private async Task<string> TryQueryAsync(string sql)
    {
        try
        {
            return await postgres.QueryAsync(sql);
        }
        catch (NpgsqlException e)
        {
            return e.Message;
        }
    }
}
