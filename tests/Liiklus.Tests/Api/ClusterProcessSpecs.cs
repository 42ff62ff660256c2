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

    // hocon/akka.conf's timings: the failure detector's verdict (a heartbeat interval, the 2.5 s acceptable pause and the
    // phi margin, which a loaded machine's jitter widens to about 1.5 s) ≤ 5.5 s, stable-after 2 s, gossip and the
    // leader's removal ≤ 1 s; when the group's coordinator ran on the killed node, its shard moves after the 1 s
    // removal margin and a region retry, and the new coordinator reads the topic's partitions: ≤ 12 s in all.
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(12);

    private Dictionary<string, string> Environment => GatewayProcess.KafkaAndRedis(kafka.BootstrapServers, redis.Port);

    [Fact]
    public async Task Sigkilled_node_of_three_loses_no_record_and_its_partitions_move_to_the_survivors()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        kafka.CreateTopic(topic, 8);
        var started = await GatewayProcess.StartClusterAsync(Environment, 3);
        await using var first = started[0];
        await using var second = started[1];
        await using var doomed = started[2];
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
        Assert.True(reassignedAt.Value - killedAt < FailoverBound, $"reassignment took {reassignedAt.Value - killedAt}");
    }

    [Fact]
    public async Task A_saturated_node_stays_reachable_for_three_minutes_and_a_killed_node_still_hands_its_partitions_over_within_twelve_seconds()
    {
        var loadTopic = NewName("load");
        var topic = NewName("topic");
        var group = NewName("group");
        kafka.CreateTopic(loadTopic, 32);
        kafka.CreateTopic(topic, 8);
        var started = await GatewayProcess.StartClusterAsync(Environment, 3);
        await using var busy = started[0];
        await using var second = started[1];
        await using var doomed = started[2];
        var nodes = new[] { busy, second, doomed };
        using var consumers = new Consumers(
            new GroupConsumer(busy.Client, topic, group),
            new GroupConsumer(second.Client, topic, group),
            new GroupConsumer(doomed.Client, topic, group));
        using var publisher = new Publisher(second.Client, topic);
        await Eventually.Until(
            () => Task.FromResult(consumers.All.Select(c => c.Receiving).ToList()),
            receiving => receiving.All(r => r.Count > 0) && receiving.Sum(r => r.Count) == 8 && receiving.SelectMany(r => r).Distinct().Count() == 8,
            "each partition received by exactly one of the three consumers",
            Deadline);

        // Thousands of streams flowing on one node: 60 groups over 32 partitions, fed by 16 callers publishing as fast
        // as they can through the same node, with this process's clients and Kafka on the same two cores.
        using var load = new LoadStreams(busy.Client, loadTopic, groups: 60);
        using var publishers = new Publishers(busy.Client, loadTopic, callers: 16);
        var loaded = Stopwatch.StartNew();
        await Eventually.Until(() => Task.FromResult(load.OpenStreams), open => open == 60 * 32, "every load stream open", Deadline);
        while (loaded.Elapsed < TimeSpan.FromMinutes(3))
        {
            // Watched for a fixed time: the claim is that nothing happens during it.
            Assert.All(nodes, node => Assert.DoesNotContain("UNREACHABLE", node.Log));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        output.WriteLine($"{load.Delivered} records delivered to the load streams, {publishers.Published} published in {loaded.Elapsed}");
        foreach (var node in nodes)
        {
            output.WriteLine(string.Join('\n', node.Log.Split('\n').Where(line => line.Contains("heartbeat was delayed", StringComparison.Ordinal)).TakeLast(5)));
        }

        Assert.All(nodes, node => Assert.DoesNotContain("UNREACHABLE", node.Log));
        Assert.True(load.Delivered > 0 && publishers.Published > 0, "the load flowed");

        var doomedPartitions = consumers.All[2].Receiving.ToHashSet();
        var killedAt = DateTime.UtcNow;
        doomed.Kill();
        var reassignedAt = await Eventually.Until(
            () => Task.FromResult(ReassignedAt(doomedPartitions, killedAt, consumers.All[0], consumers.All[1])),
            at => at is not null,
            "the killed node's partitions assigned to the survivors",
            Deadline);

        output.WriteLine($"partitions of the SIGKILLed node reassigned {(reassignedAt!.Value - killedAt).TotalMilliseconds:0} ms after the kill, under load");
        Assert.NotEmpty(doomedPartitions);
        Assert.True(reassignedAt.Value - killedAt < FailoverBound, $"reassignment took {reassignedAt.Value - killedAt}");
        // The saturated node was never marked unreachable; only the killed one was.
        Assert.All(
            nodes.Take(2).SelectMany(node => node.Log.Split('\n')).Where(line => line.Contains("UNREACHABLE", StringComparison.Ordinal)),
            line => Assert.Contains(doomed.ClusterAddress, line));
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

    /// <summary>Groups that subscribe to a topic and read every partition as fast as they can, counting records.</summary>
    private sealed class LoadStreams : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _running = [];
        private long _delivered;
        private int _open;

        public LoadStreams(LiiklusService.LiiklusServiceClient client, string topic, int groups)
        {
            for (var i = 0; i < groups; i++)
            {
                var group = NewName("load-group");
                _running.Add(Task.Run(() => ReadGroupAsync(client, topic, group)));
            }
        }

        public long Delivered => Interlocked.Read(ref _delivered);

        public int OpenStreams => Volatile.Read(ref _open);

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task ReadGroupAsync(LiiklusService.LiiklusServiceClient client, string topic, string group)
        {
            using var subscription = client.Subscribe(new SubscribeRequest { Topic = topic, Group = group, AutoOffsetReset = SubscribeRequest.Types.AutoOffsetReset.Latest }, cancellationToken: _stop.Token);
            var streams = new List<Task>();
            try
            {
                await foreach (var reply in subscription.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    streams.Add(ReadPartitionAsync(client, reply.Assignment));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
                // Stopped.
            }

            await Task.WhenAll(streams);
        }

        private async Task ReadPartitionAsync(LiiklusService.LiiklusServiceClient client, Assignment assignment)
        {
            Interlocked.Increment(ref _open);
            try
            {
                using var receive = client.Receive(new ReceiveRequest { Assignment = assignment }, cancellationToken: _stop.Token);
                await foreach (var _ in receive.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    Interlocked.Increment(ref _delivered);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
                // Stopped.
            }
        }
    }

    /// <summary>Callers publishing small records one after another, as fast as the gateway confirms them.</summary>
    private sealed class Publishers : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private long _published;

        public Publishers(LiiklusService.LiiklusServiceClient client, string topic, int callers)
        {
            for (var caller = 0; caller < callers; caller++)
            {
                _ = Task.Run(async () =>
                {
                    for (var i = 0; !_stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            await client.PublishAsync(topic, $"load-{i}", key: $"key-{i}");
                            Interlocked.Increment(ref _published);
                        }
                        catch (RpcException)
                        {
                            // Load only: nothing owed.
                        }
                    }
                });
            }
        }

        public long Published => Interlocked.Read(ref _published);

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
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
