using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>
/// Gateways as separate processes, started as the README's run command starts them and configured only by
/// environment variables, over one Kafka (librdkafka's mock cluster) and one Redis.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterProcessSpecs(MockKafkaCluster kafka, RedisServer redis, ITestOutputHelper output)
    : IClassFixture<MockKafkaCluster>, IClassFixture<RedisServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private Dictionary<string, string> Environment => new()
    {
        ["storage_records_type"] = "KAFKA",
        ["kafka_bootstrapServers"] = kafka.BootstrapServers,
        ["storage_positions_type"] = "REDIS",
        ["redis_host"] = "127.0.0.1",
        ["redis_port"] = redis.Port.ToString(),
    };

    [Fact]
    public async Task Sigkilled_node_of_three_loses_no_record_and_its_partitions_move_to_the_survivors()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        kafka.CreateTopic(topic, 8);
        var seedPort = GatewayProcess.FreePort();
        var seed = $"akka.tcp://liiklus@127.0.0.1:{seedPort}";
        await using var first = await GatewayProcess.StartAsync(Environment, seedPort, seed);
        var others = await Task.WhenAll(
            GatewayProcess.StartAsync(Environment, GatewayProcess.FreePort(), seed),
            GatewayProcess.StartAsync(Environment, GatewayProcess.FreePort(), seed));
        await using var second = others[0];
        await using var doomed = others[1];
        using var consumers = new Consumers(
            new GroupConsumer(first.Client, topic, group),
            new GroupConsumer(second.Client, topic, group),
            new GroupConsumer(doomed.Client, topic, group));
        using var publisher = new Publisher(first.Client, topic);
        // Settled: every node's consumer streams records, each partition through exactly one open Receive (an
        // assignment reaches its client before the revoked stream has ended at the previous holder's).
        await Eventually.Until(
            () => Task.FromResult(consumers.All.Select(c => c.Receiving).ToList()),
            receiving => receiving.All(r => r.Count > 0) && receiving.Sum(r => r.Count) == 8 && receiving.SelectMany(r => r).Distinct().Count() == 8,
            "each partition received by exactly one of the three consumers",
            Deadline);

        var doomedPartitions = consumers.All[2].Receiving.ToHashSet();
        var killedAt = DateTime.UtcNow;
        doomed.Kill();
        DateTime? reassignedAt;
        try
        {
            reassignedAt = await Eventually.Until(
                () => Task.FromResult(ReassignedAt(doomedPartitions, killedAt, consumers.All[0], consumers.All[1])),
                at => at is not null,
                "the killed node's partitions assigned to the survivors",
                Deadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                $"{e.Message}; partitions {string.Join(",", doomedPartitions)}; consumers:\n{string.Join("\n", consumers.All)}\n" +
                $"survivors' logs:\n{Tail(first.Log)}\n---\n{Tail(second.Log)}");
        }

        output.WriteLine($"partitions of the SIGKILLed node reassigned {(reassignedAt!.Value - killedAt).TotalMilliseconds:0} ms after the kill");
        await publisher.PublishWhileAsync(TimeSpan.FromSeconds(2));
        var published = await publisher.StopAsync();

        await Eventually.Until(
            () => Task.FromResult(published.Count(value => !consumers.All.Any(c => c.Processed.ContainsKey(value)))),
            missing => missing == 0,
            "every published record received at least once",
            Deadline);
        output.WriteLine($"{published.Count} records published, all received at least once");
        Assert.NotEmpty(doomedPartitions);
        Assert.True(reassignedAt.Value - killedAt < TimeSpan.FromSeconds(30), $"reassignment took {reassignedAt.Value - killedAt}");
    }

    [Fact]
    public async Task Sigkilled_gateway_resumes_each_partition_right_after_its_last_stored_ack()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        kafka.CreateTopic(topic, 4);
        var published = new List<string>();
        IReadOnlyCollection<string> processedBeforeKill;
        await using (var gateway = await GatewayProcess.StartAsync(Environment, GatewayProcess.FreePort(), seedNodes: null))
        {
            await PublishAsync(gateway, topic, published, 400);
            using var consumer = new GroupConsumer(gateway.Client, topic, group);
            await Eventually.Until(() => Task.FromResult(consumer.Processed.Count), n => n >= 100, "some records processed", Deadline);
            gateway.Kill();
            processedBeforeKill = consumer.Processed.Keys.ToList();
        }

        // What Redis holds once the process is gone is every ack the gateway confirmed.
        var stored = await StoredPositions(topic, group);
        await using var restarted = await GatewayProcess.StartAsync(Environment, GatewayProcess.FreePort(), seedNodes: null);
        var offsets = await restarted.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        // Every partition gets a record after the crash, so even one acked to its end has something to resume with.
        await PublishAsync(restarted, topic, published, 40);
        using var resumed = new GroupConsumer(restarted.Client, topic, group);
        try
        {
            await Eventually.Until(() => Task.FromResult(resumed.FirstOffsets.Count), n => n == 4, "every partition resumed", Deadline);
            await Eventually.Until(
                () => Task.FromResult(published.Except(processedBeforeKill).Count(value => !resumed.Processed.ContainsKey(value))),
                missing => missing == 0,
                "every published record received at least once",
                Deadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; consumer's last error: {resumed.LastError}; gateway log:\n{Tail(restarted.Log)}");
        }

        Assert.Equal(stored, offsets.Offsets.ToDictionary(o => o.Key, o => o.Value));
        Assert.NotEmpty(stored);
        foreach (var (partition, acked) in stored)
        {
            Assert.Equal(acked + 1, resumed.FirstOffsets[partition]);
        }
    }

    private static async Task PublishAsync(GatewayProcess gateway, string topic, List<string> published, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var value = $"record-{published.Count}";
            await gateway.Client.PublishAsync(topic, value, key: $"key-{published.Count}");
            published.Add(value);
        }
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(60));

    private async Task<Dictionary<uint, ulong>> StoredPositions(string topic, string group)
    {
        var fields = (await redis.CliAsync("HGETALL", $"liiklus:positions:{topic}:{group}:0"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return fields.Chunk(2).ToDictionary(pair => uint.Parse(pair[0]), pair => ulong.Parse(pair[1]));
    }

    private static DateTime? ReassignedAt(IReadOnlySet<uint> partitions, DateTime after, params GroupConsumer[] survivors)
    {
        var times = partitions.Select(p => survivors
                .Select(s => s.AssignedAt.TryGetValue(p, out var at) && at > after ? at : (DateTime?)null)
                .Where(at => at is not null)
                .Min())
            .ToList();
        return times.All(t => t is not null) ? times.Max() : null;
    }

    private sealed class Consumers(params GroupConsumer[] consumers) : IDisposable
    {
        public IReadOnlyList<GroupConsumer> All => consumers;

        public void Dispose()
        {
            foreach (var consumer in consumers)
            {
                consumer.Dispose();
            }
        }
    }

    /// <summary>Publishes one record after another; keeps what the gateway confirmed.</summary>
    private sealed class Publisher : IDisposable
    {
        private readonly ConcurrentQueue<string> _confirmed = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public Publisher(LiiklusService.LiiklusServiceClient client, string topic) =>
            _running = Task.Run(async () =>
            {
                for (var i = 0; !_stop.IsCancellationRequested; i++)
                {
                    var value = $"record-{i}";
                    try
                    {
                        await client.PublishAsync(topic, value, key: $"key-{i}");
                        _confirmed.Enqueue(value);
                    }
                    catch (RpcException)
                    {
                        // Not confirmed, so not owed to anyone.
                    }
                }
            });

        public async Task PublishWhileAsync(TimeSpan duration)
        {
            var clock = Stopwatch.StartNew();
            var before = _confirmed.Count;
            await Eventually.Until(
                () => Task.FromResult(clock.Elapsed >= duration && _confirmed.Count > before),
                done => done,
                "more records published",
                duration + Deadline);
        }

        public async Task<List<string>> StopAsync()
        {
            await _stop.CancelAsync();
            await _running;
            return [.. _confirmed];
        }

        public void Dispose() => _stop.Dispose();
    }
}
