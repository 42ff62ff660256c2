using System.Diagnostics;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace Liiklus.Tests.Storage.Redis;

/// <summary>
/// The storage with Redis killed, silent or not there yet: every call answers within its deadline, and the same
/// connection serves again once Redis does. These tests take their server down, so it is theirs alone.
/// </summary>
public sealed class RedisOutageSpecs(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    // Generous beside the command timeout, far below the 20 s a hung call would take to fail the test otherwise.
    private static readonly TimeSpan AnswerWithin = CommandTimeout + TimeSpan.FromSeconds(2);

    private readonly string _topic = $"topic-{Guid.NewGuid():N}";
    private readonly GroupId _group = new("g", 0);
    private ConnectionMultiplexer? _connection;
    private RedisPositionsStorage? _storage;

    private RedisPositionsOptions Options => redis.Options with { CommandTimeout = CommandTimeout };

    private RedisPositionsStorage Storage => _storage ?? throw new InvalidOperationException("not connected");

    public async Task InitializeAsync()
    {
        // A test that stopped the server must not leave it stopped for the next one.
        if (await redis.TryPingAsync() != "PONG")
        {
            await redis.StartAsync();
        }

        _connection = RedisConnection.Connect(Options);
        _storage = new RedisPositionsStorage(_connection, Options);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Calls_answer_unavailable_while_redis_is_down_and_the_same_connection_serves_when_it_returns()
    {
        await Storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None);

        await redis.KillAsync();

        var update = await Unavailable(() => Storage.UpdateAsync(_topic, _group, 0, 2, CancellationToken.None));
        var get = await Unavailable(() => Storage.GetAsync(_topic, _group, CancellationToken.None));
        var all = await Unavailable(() => Storage.GetAllVersionsAsync(_topic, _group.Name, CancellationToken.None));
        Assert.Contains($"Redis positions storage at {Options.Endpoint}", update.Message);
        Assert.Contains($"store offset 2 of topic '{_topic}', group 'g' version 0, partition 0", update.Message);
        Assert.Contains("read the positions", get.Message);
        Assert.Contains("every version", all.Message);

        await redis.StartAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => Storage.UpdateAsync(_topic, _group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack on the reconnected storage");
        Assert.Equal(3, (await Storage.GetAsync(_topic, _group, CancellationToken.None))[0]);
        Assert.Equal("3", await redis.CliAsync("HGET", PositionKeys.Of(_topic, _group), "0"));
    }

    [Fact]
    public async Task Calls_answer_unavailable_within_the_command_timeout_while_redis_is_silent()
    {
        await Storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None);

        // Redis stops answering every client for 4 s, far longer than the command timeout; connections stay open.
        await redis.CliAsync("CLIENT", "PAUSE", "4000", "ALL");

        var update = await Unavailable(() => Storage.UpdateAsync(_topic, _group, 0, 2, CancellationToken.None));
        var all = await Unavailable(() => Storage.GetAllVersionsAsync(_topic, _group.Name, CancellationToken.None));
        // Whichever fires first, the storage's deadline or the client library's own timeout, the answer says so.
        Assert.Matches("did not answer within 1s|Timeout", update.Message);
        Assert.Matches("did not answer within 1s|Timeout", all.Message);

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => Storage.UpdateAsync(_topic, _group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once the pause is over");
        Assert.Equal(3, (await Storage.GetAsync(_topic, _group, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task A_call_ends_when_the_callers_token_is_cancelled_even_before_the_command_timeout()
    {
        var patient = Options with { CommandTimeout = TimeSpan.FromMinutes(1) };
        await using var connection = RedisConnection.Connect(patient);
        var storage = new RedisPositionsStorage(connection, patient);
        await redis.CliAsync("CLIENT", "PAUSE", "4000", "ALL");
        using var callerDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.GetAsync(_topic, _group, callerDeadline.Token));

        Assert.True(clock.Elapsed < AnswerWithin, $"the cancelled call took {clock.Elapsed}");
        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.GetAsync(_topic, _group, CancellationToken.None)),
            succeeded => succeeded,
            "a read once the pause is over");
    }

    [Fact]
    public async Task Connecting_while_redis_is_down_does_not_fail_and_the_storage_serves_once_redis_starts()
    {
        await redis.KillAsync();

        await using var connection = RedisConnection.Connect(Options);
        var storage = new RedisPositionsStorage(connection, Options);
        await Unavailable(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None));
        await redis.StartAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once redis started");
        Assert.Equal("1", await redis.CliAsync("HGET", PositionKeys.Of(_topic, _group), "0"));
    }

    private static async Task<StorageUnavailableException> Unavailable(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(call);
        Assert.True(clock.Elapsed < AnswerWithin, $"the call answered unavailable after {clock.Elapsed}");
        return unavailable;
    }
}
