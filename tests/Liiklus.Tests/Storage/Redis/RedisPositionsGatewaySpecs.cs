using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Storage.Redis;

/// <summary>
/// The gateway end to end with positions in a real Redis. Records live in one in-memory storage handed to every
/// gateway of a test, so they outlive a gateway too.
/// </summary>
public sealed class RedisPositionsGatewaySpecs(RedisServer redis) : PositionsGatewayContract, IClassFixture<RedisServer>
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));

    protected override string ShortDeadlineHocon => "liiklus.storage.redis.command-timeout = 2s";

    protected override string StoreName => $"Redis positions storage at 127.0.0.1:{redis.Port}";

    // A killed Redis refuses connections: the storage knows it is down, not merely slow.
    protected override string AckRefusedWhileDown => $"{StoreName} is unavailable";

    protected override Task<TestGateway> StartGatewayAsync(string hocon = "") =>
        TestGateway.StartAsync($"{hocon}\n{redis.GatewayHocon}", services => services.AddSingleton<IRecordsStorage>(_records));

    protected override Task TakeStoreDownAsync() => redis.KillAsync();

    protected override Task BringStoreBackAsync() => redis.StartAsync();

    protected override async Task AssertStoredAsync(string topic, string group, uint version, uint partition, ulong acked) =>
        Assert.Equal(
            [partition.ToString(), acked.ToString()],
            (await redis.CliAsync("HGETALL", $"liiklus:positions:{topic}:{group}:{version}")).Split('\n'));

    [Fact]
    public async Task A_stored_group_is_reported_until_its_positions_are_deleted()
    {
        await using var gateway = await StartGatewayAsync(Operations.StoredGroupLag.FastHocon);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var topic = NewName("topic");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.PublishAsync(topic, "v1", key: "k");
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = "deleted", Partition = partition, Offset = 0 });
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = "kept", Partition = partition, Offset = 1 });
        await operations.ScrapeUntilAsync(
            t => t.Find("liiklus_group_lag", ("topic", topic), ("partition", partition.ToString())).Count == 2,
            "the lag of both groups");

        await redis.CliAsync("DEL", $"liiklus:positions:{topic}:deleted:0");

        var text = await operations.ScrapeUntilAsync(
            t => t.Find("liiklus_topic_position", ("topic", topic), ("groupName", "deleted")).Count == 0
                && t.Find("liiklus_group_lag", ("topic", topic), ("groupName", "deleted")).Count == 0,
            "the deleted group gone from both gauges");
        Assert.Equal(0, text.Value("liiklus_group_lag", ("topic", topic), ("groupName", "kept"), ("partition", partition.ToString())));
        Assert.Equal(1, text.Value("liiklus_topic_position", ("topic", topic), ("groupName", "kept")));
    }
}
