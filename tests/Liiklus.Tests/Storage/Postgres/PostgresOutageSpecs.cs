using System.Diagnostics;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Tests.Support;
using Npgsql;
using Xunit;

namespace Liiklus.Tests.Storage.Postgres;

/// <summary>
/// The storage with PostgreSQL down, busy or not there yet: every call answers within its deadline, and the same
/// storage serves again once PostgreSQL does. These tests take their server down, so it is theirs alone.
/// </summary>
public sealed class PostgresOutageSpecs(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    // Generous beside the command timeout, far below the 20 s a hung call would take to fail the test otherwise.
    private static readonly TimeSpan AnswerWithin = CommandTimeout + TimeSpan.FromSeconds(2);

    private readonly string _topic = $"topic-{Guid.NewGuid():N}";
    private readonly GroupId _group = new("g", 0);
    private PostgresPositionsStorage? _storage;

    private PostgresPositionsOptions Options => postgres.Options with { CommandTimeout = CommandTimeout };

    private PostgresPositionsStorage Storage => _storage ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        // A test that stopped the server must not leave it stopped for the next one.
        if (!postgres.IsRunning)
        {
            await postgres.StartAsync();
        }

        _storage = new PostgresPositionsStorage(Options);
    }

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    [Fact]
    public async Task Calls_answer_unavailable_while_postgres_is_down_and_the_same_storage_serves_when_it_returns()
    {
        await Storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None);

        await postgres.StopAsync();

        var update = await Unavailable(() => Storage.UpdateAsync(_topic, _group, 0, 2, CancellationToken.None));
        var get = await Unavailable(() => Storage.GetAsync(_topic, _group, CancellationToken.None));
        var all = await Unavailable(() => Storage.GetAllVersionsAsync(_topic, _group.Name, CancellationToken.None));
        Assert.Contains($"PostgreSQL positions storage at 127.0.0.1:{postgres.Port}/postgres", update.Message);
        Assert.Contains($"store offset 2 of topic '{_topic}', group 'g' version 0, partition 0", update.Message);
        Assert.Contains("read the positions", get.Message);
        Assert.Contains("every version", all.Message);

        await postgres.StartAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => Storage.UpdateAsync(_topic, _group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack on the storage once postgres is back");
        Assert.Equal(3, (await Storage.GetAsync(_topic, _group, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task An_ack_blocked_past_the_deadline_answers_unavailable_and_is_cancelled_on_the_server()
    {
        await Storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None);
        await using var blocker = new NpgsqlConnection(postgres.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE liiklus_positions IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var update = await Unavailable(() => Storage.UpdateAsync(_topic, _group, 0, 2, CancellationToken.None));
        Assert.Contains("did not answer within 1s", update.Message);

        // The abandoned upsert was cancelled by the server, not left queued behind the lock to land later.
        await Eventually.Until(
            () => TryQueryAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"),
            waiting => waiting == "0",
            "the timed-out upsert leaving the lock queue");
        await transaction.CommitAsync();
        Assert.Equal(1, (await Storage.GetAsync(_topic, _group, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task A_call_ends_when_the_callers_token_is_cancelled_even_before_the_command_timeout()
    {
        await using var patient = new PostgresPositionsStorage(Options with { CommandTimeout = TimeSpan.FromMinutes(1) });
        await patient.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None);
        await using var blocker = new NpgsqlConnection(postgres.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE liiklus_positions IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        using var callerDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.GetAsync(_topic, _group, callerDeadline.Token));

        Assert.True(clock.Elapsed < AnswerWithin, $"the cancelled call took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_storage_created_while_postgres_is_down_serves_once_postgres_starts()
    {
        await postgres.StopAsync();

        await using var storage = new PostgresPositionsStorage(Options);
        await Unavailable(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None));
        await postgres.StartAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once postgres started");
        Assert.Equal([$"{_topic}|1"], await postgres.RowsAsync($"""SELECT topic, "offset" FROM liiklus_positions WHERE topic = '{_topic}'"""));
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

    private static async Task<StorageUnavailableException> Unavailable(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(call);
        Assert.True(clock.Elapsed < AnswerWithin, $"the call answered unavailable after {clock.Elapsed}");
        return unavailable;
    }
}
