using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Redis;

/// <summary>
/// The outage contract with Redis killed, paused or not there yet: the same connection serves again once Redis
/// does. These tests take their server down, so it is theirs alone.
/// </summary>
public sealed class RedisOutageSpecs(RedisServer redis) : PositionsStorageOutageContract, IClassFixture<RedisServer>
{
    private RedisPositionsOptions Options => redis.Options with { CommandTimeout = CommandTimeout };

    protected override string StoreName => $"Redis positions storage at {Options.Endpoint}";

    public override async Task InitializeAsync()
    {
        // A test that stopped the server must not leave it stopped for the next one.
        if (await redis.TryPingAsync() != "PONG")
        {
            await redis.StartAsync();
        }
    }

    /// <remarks>Connecting does not fail while Redis is down: the connection keeps trying in the background.</remarks>
    protected override IPositionsStorage CreateStorage(TimeSpan commandTimeout)
    {
        var options = Options with { CommandTimeout = commandTimeout };
        return new RedisPositionsStorage(Owned(RedisConnection.Connect(options)), options);
    }

    protected override Task TakeStoreDownAsync() => redis.KillAsync();

    protected override Task BringStoreBackAsync() => redis.StartAsync();

    protected override async Task<IPositionsStorage> StorageWithoutAnswersAsync(TimeSpan commandTimeout)
    {
        var storage = NewStorage(commandTimeout);
        await PauseEveryClientAsync();
        return storage;
    }

    /// <summary>The abandoned command does not spoil the connection: it serves once Redis answers again.</summary>
    protected override async Task AfterTheCancelledCallAsync(IPositionsStorage storage, string topic) =>
        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.GetAsync(topic, Group, CancellationToken.None)),
            succeeded => succeeded,
            "a read once the pause is over");

    protected override async Task AssertStoredAsync(string topic, long offset) =>
        Assert.Equal(offset.ToString(), await redis.CliAsync("HGET", PositionKeys.Of(topic, Group), "0"));

    [Fact]
    public async Task Calls_answer_unavailable_within_the_command_timeout_while_redis_is_silent()
    {
        var topic = NewTopic();
        var storage = NewStorage();
        await storage.UpdateAsync(topic, Group, 0, 1, CancellationToken.None);

        await PauseEveryClientAsync();

        var update = await Unavailable(() => storage.UpdateAsync(topic, Group, 0, 2, CancellationToken.None));
        var all = await Unavailable(() => storage.GetAllVersionsAsync(topic, Group.Name, CancellationToken.None));
        // Whichever fires first, the storage's deadline or the client library's own timeout, the answer says so.
        Assert.Matches("did not answer within 1s|Timeout", update.Message);
        Assert.Matches("did not answer within 1s|Timeout", all.Message);

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, Group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once the pause is over");
        Assert.Equal(3, (await storage.GetAsync(topic, Group, CancellationToken.None))[0]);
    }

    /// <summary>Redis stops answering every client for 4 s, far longer than the command timeout; connections stay open.</summary>
    private Task<string> PauseEveryClientAsync() => redis.CliAsync("CLIENT", "PAUSE", "4000", "ALL");
}
