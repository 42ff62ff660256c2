using System.Diagnostics;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Storage.Redis;

/// <summary>
/// The gateway end to end with positions in a real Redis: positions outlive the gateway, and a Redis outage is
/// UNAVAILABLE for the calls that need it until Redis is back, with no restart. Records live in one in-memory
/// storage handed to every gateway of a test, so they outlive a gateway too.
/// </summary>
public sealed class RedisPositionsGatewaySpecs(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));

    [Fact]
    public async Task Receive_on_a_new_gateway_resumes_right_after_the_offset_acked_on_the_previous_one()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        ulong acked;
        uint partition;
        await using (var first = await StartGatewayAsync())
        {
            partition = (await first.Client.PublishAsync(topic, "v0", key: "k")).Partition;
            for (var i = 1; i < 10; i++)
            {
                await first.Client.PublishAsync(topic, $"v{i}", key: "k");
            }

            using var subscription = first.Client.Subscribe(topic, group, version: 2);
            using var receive = first.Client.Receive(await AssignmentFor(subscription, partition));
            acked = (await receive.ReadAsync(4))[3].Record.Offset;
            await first.Client.AckAsync(
                new AckRequest { Topic = topic, Group = group, GroupVersion = 2, Partition = partition, Offset = acked },
                deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline);
        }

        Assert.Equal(
            [partition.ToString(), acked.ToString()],
            (await redis.CliAsync("HGETALL", $"liiklus:positions:{topic}:{group}:2")).Split('\n'));

        await using var second = await StartGatewayAsync();
        using var resumedSubscription = second.Client.Subscribe(topic, group, version: 2);
        using var resumed = second.Client.Receive(await AssignmentFor(resumedSubscription, partition));
        var next = await resumed.ReadAsync(6);

        Assert.Equal(acked + 1, next[0].Record.Offset);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"v{i}"), next.Select(r => r.Record.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task Ack_answers_unavailable_while_redis_is_down_and_recovers_without_restart()
    {
        await using var gateway = await StartGatewayAsync("liiklus.storage.redis.command-timeout = 2s");
        var client = gateway.Client;
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 5; i++)
        {
            await client.PublishAsync(topic, $"v{i}", key: "k");
        }

        await client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 0 });
        using var subscription = client.Subscribe(topic, group);
        var assignment = await AssignmentFor(subscription, partition);

        await redis.KillAsync();

        var ack = await UnavailableAsync(() =>
            client.AckAsync(Ack(topic, group, partition, 2), deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline).ResponseAsync);
        var offsets = await UnavailableAsync(() =>
            client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group }, deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline).ResponseAsync);
        var receive = await UnavailableAsync(async () =>
        {
            using var call = client.Receive(assignment);
            await call.ReadToEndAsync();
        });
        Assert.Contains($"Redis positions storage at 127.0.0.1:{redis.Port} is unavailable", ack.Status.Detail);
        Assert.Contains($"could not store offset 2 of topic '{topic}'", ack.Status.Detail);
        Assert.Contains("Redis positions storage", offsets.Status.Detail);
        Assert.Contains("Redis positions storage", receive.Status.Detail);

        await redis.StartAsync();

        await Eventually.Until(
            async () => await StatusOfAsync(() => client.AckAsync(Ack(topic, group, partition, 2)).ResponseAsync),
            status => status == StatusCode.OK,
            "an ack once redis is back");
        var stored = await client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(new Dictionary<uint, ulong> { [partition] = 2 }, stored.Offsets);
        Assert.Equal("2", await redis.CliAsync("HGET", $"liiklus:positions:{topic}:{group}:0", partition.ToString()));
        using var resumed = client.Receive(assignment);
        Assert.Equal([3ul, 4ul], (await resumed.ReadAsync(2)).Select(r => r.Record.Offset));
    }

    private static AckRequest Ack(string topic, string group, uint partition, ulong offset) =>
        new() { Topic = topic, Group = group, Partition = partition, Offset = offset };

    /// <summary>The call fails with UNAVAILABLE from the gateway itself, well before the client's own deadline.</summary>
    private static async Task<RpcException> UnavailableAsync(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var failed = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"UNAVAILABLE came after {clock.Elapsed}");
        return failed;
    }

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private Task<TestGateway> StartGatewayAsync(string hocon = "") =>
        TestGateway.StartAsync(
            $"{hocon}\n{redis.GatewayHocon}",
            services => services.AddSingleton<IRecordsStorage>(_records));
}
