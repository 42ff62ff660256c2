using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

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
}
