using System.Collections.Concurrent;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>
/// Position resets while consumers run, on three gateways in one process sharing their storages: each consumer
/// subscribes on one node, receives on the next and acks in batches, statelessly through the third node or by its
/// session on its own, with acks still in flight when a reset lands (and a last ack as each stream ends, as clients do
/// on revocation).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LiveResetSpecs : IAsyncLifetime
{
    private const int Partitions = 4;
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: Partitions));
    private readonly InMemoryPositionsStorage _positions = new();
    private readonly List<TestGateway> _nodes = [];

    public async Task InitializeAsync() =>
        _nodes.AddRange(await new SharedStorageNodes(_records, _positions, TestGateway.CrashableNodeHocon).StartClusterAsync(3));

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Resets_under_load_restart_every_partition_at_the_target_and_no_earlier_ack_moves_a_position_afterwards()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        for (var i = 0; i < 200; i++)
        {
            await _nodes[0].Client.PublishAsync(topic, $"v{i}", key: $"k{i}");
        }

        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await _nodes[i % 3].Client.PublishAsync(topic, $"live{i}", key: $"live{i}");
                // Paces the load (a steady trickle of records during the resets); nothing waits on it.
                await Task.Delay(5);
            }
        });
        var log = new DeliveryLog();
        var consumers = Enumerable.Range(0, 3).Select(i => Task.Run(() => ConsumeAsync(i, topic, group, log, stop.Token))).ToList();
        await Eventually.Until(() => Task.FromResult(log.PartitionsDelivering), count => count == Partitions, "every partition delivering");

        var random = new Random(21);
        var movedAfterReset = 0;
        for (var reset = 0; reset < 10; reset++)
        {
            // A random moment: consumers are mid-batch, with acks in flight.
            await Task.Delay(random.Next(50, 400));
            var toEarliest = reset % 2 == 0;
            var sessionsBefore = log.Sessions();
            var request = new ResetPositionsRequest { Topic = topic, Group = group, Execute = true };
            if (toEarliest)
            {
                request.ToEarliest = true;
            }
            else
            {
                request.ToLatest = true;
            }

            var reply = await _nodes[reset % 3].Admin.ResetPositionsAsync(request);
            var targets = reply.Partitions.ToDictionary(p => p.Partition, p => (long)p.NewPosition);
            Assert.Equal(Partitions, targets.Count);
            Assert.All(targets.Values, target => Assert.True(toEarliest ? target == 0 : target > 0));

            // The next record each partition delivers, under a session id it had not before, is the target.
            var firsts = await Eventually.Until(
                () => Task.FromResult(log.FirstOffsetsOfSessionsOtherThan(sessionsBefore)),
                first => first.Count == Partitions,
                $"reset {reset}: every partition delivering again under a new session");
            Assert.Equal(targets.OrderBy(t => t.Key), firsts.OrderBy(f => f.Key).Select(f => new KeyValuePair<uint, long>(f.Key, f.Value)));

            // Until the next reset, no position is below the target or past what was delivered since the reset.
            var settle = DateTime.UtcNow.AddMilliseconds(random.Next(200, 600));
            while (DateTime.UtcNow < settle)
            {
                var stored = await StoredAsync(topic, group);
                var delivered = log.HighestSince(sessionsBefore);
                foreach (var (partition, target) in targets)
                {
                    var position = stored.GetValueOrDefault(partition, -1);
                    Assert.True(position >= target - 1, $"reset {reset}: partition {partition} stored {position}, below the target {target}");
                    Assert.True(
                        position == target - 1 || position <= delivered.GetValueOrDefault(partition, -1),
                        $"reset {reset}: partition {partition} stored {position}, past {delivered.GetValueOrDefault(partition, -1)} delivered since the reset to {target}");
                    if (position >= target)
                    {
                        movedAfterReset++;
                    }
                }

                // The pause between one reset's checks and the next reset, so resets land at varied moments of the load.
                await Task.Delay(20);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(consumers.Append(publishing).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.Empty(log.UnexpectedAckStatuses);
        // The consumers kept acking after the resets, and acks made before them were refused.
        Assert.True(movedAfterReset > 0, "no position moved after any reset");
        Assert.True(log.RefusedAcks > 0, "no ack was refused");
    }

    /// <summary>A consumer as clients are written: subscribes on one node, receives on the next, acks every few records.</summary>
    private async Task ConsumeAsync(int index, string topic, string group, DeliveryLog log, CancellationToken stop)
    {
        var own = _nodes[index];
        using var subscription = own.Client.Subscribe(new SubscribeRequest { Topic = topic, Group = group }, cancellationToken: stop);
        var streams = new List<Task>();
        try
        {
            await foreach (var reply in subscription.ResponseStream.ReadAllAsync(stop))
            {
                var assignment = reply.Assignment;
                streams.Add(Task.Run(() => ReceiveAsync(index, topic, group, assignment, log, stop), stop));
            }
        }
        catch (Exception e) when (e is OperationCanceledException || (e is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
        {
        }

        await Task.WhenAll(streams.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    private async Task ReceiveAsync(int index, string topic, string group, Assignment assignment, DeliveryLog log, CancellationToken stop)
    {
        var random = new Random(index * 1000 + (int)assignment.Partition);
        var acks = new List<Task>();
        long handled = -1;
        var inBatch = 0;
        using var receive = _nodes[(index + 1) % 3].Client.Receive(assignment, cancellationToken: stop);
        try
        {
            await foreach (var reply in receive.ResponseStream.ReadAllAsync(stop))
            {
                handled = (long)reply.OffsetOf();
                log.Delivered(assignment, handled);
                if (++inBatch == 5)
                {
                    inBatch = 0;
                    acks.Add(AckAsync(index, topic, group, assignment, handled, random, log));
                }
            }

            // Revoked: the client acks what it handled since its last ack, as its stream ends.
            if (inBatch > 0)
            {
                acks.Add(AckAsync(index, topic, group, assignment, handled, random, log));
            }
        }
        catch (Exception e) when (e is OperationCanceledException || (e is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
        {
        }

        await Task.WhenAll(acks);
    }

    /// <summary>Sent a moment later, as a batch's ack is: stateless through another node, or by session through its own.</summary>
    private async Task AckAsync(int index, string topic, string group, Assignment assignment, long offset, Random random, DeliveryLog log)
    {
        var delay = random.Next(0, 30);
        var stateless = random.Next(2) == 0;
        await Task.Delay(delay);
#pragma warning disable CS0612 // the legacy session-bound ack
        var request = stateless
            ? new AckRequest { Topic = topic, Group = group, Partition = assignment.Partition, Offset = (ulong)offset }
            : new AckRequest { Assignment = assignment, Offset = (ulong)offset };
#pragma warning restore CS0612
        var node = stateless ? _nodes[(index + 2) % 3] : _nodes[index];
        var status = await SecureClients.StatusOf(() => node.Client.AckAsync(request).ResponseAsync);
        log.Acked(status);
    }

    private async Task<Dictionary<uint, long>> StoredAsync(string topic, string group)
    {
        var offsets = await _nodes[0].Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        return offsets.Offsets.ToDictionary(o => o.Key, o => (long)o.Value);
    }

    /// <summary>What the consumers received, per session id and partition, and how their acks were answered.</summary>
    private sealed class DeliveryLog
    {
        private readonly ConcurrentDictionary<(string SessionId, uint Partition), (long First, long Highest)> _bySession = new();
        private readonly ConcurrentQueue<Status> _unexpected = new();
        private int _refused;

        public int PartitionsDelivering => _bySession.Keys.Select(k => k.Partition).Distinct().Count();

        public int RefusedAcks => Volatile.Read(ref _refused);

        public IReadOnlyCollection<Status> UnexpectedAckStatuses => _unexpected;

        public void Delivered(Assignment assignment, long offset) =>
            _bySession.AddOrUpdate(
                (assignment.SessionId, assignment.Partition),
                (offset, offset),
                (_, seen) => (seen.First, Math.Max(seen.Highest, offset)));

        public void Acked(Status status)
        {
            if (status.StatusCode == StatusCode.FailedPrecondition)
            {
                Interlocked.Increment(ref _refused);
            }
            else if (status.StatusCode != StatusCode.OK)
            {
                _unexpected.Enqueue(status);
            }
        }

        public HashSet<(string SessionId, uint Partition)> Sessions() => [.. _bySession.Keys];

        /// <summary>Partition → the first offset delivered under a (session, partition) not in <paramref name="before"/>.</summary>
        public Dictionary<uint, long> FirstOffsetsOfSessionsOtherThan(HashSet<(string SessionId, uint Partition)> before) =>
            _bySession.Where(s => !before.Contains(s.Key)).GroupBy(s => s.Key.Partition).ToDictionary(g => g.Key, g => g.Min(s => s.Value.First));

        /// <summary>Partition → the highest offset delivered under a (session, partition) not in <paramref name="before"/>.</summary>
        public Dictionary<uint, long> HighestSince(HashSet<(string SessionId, uint Partition)> before) =>
            _bySession.Where(s => !before.Contains(s.Key)).GroupBy(s => s.Key.Partition).ToDictionary(g => g.Key, g => g.Max(s => s.Value.Highest));
    }
}
