using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Liiklus.Actors.Groups;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>
/// Three gateways in one process, each its own actor system, Kestrel port and Akka.Remote port on loopback,
/// forming one cluster and sharing one records and one positions storage (as they would share Kafka and Redis).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MultiNodeSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));
    private readonly InMemoryPositionsStorage _positions = new();
    private readonly List<TestGateway> _nodes = [];

    public async Task InitializeAsync() => _nodes.AddRange(await Nodes.StartClusterAsync(3));

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Group_splits_across_nodes_and_any_node_serves_receive_and_ack()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await _nodes[0].Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await _nodes[1].Client.PublishAsync(topic, "v1", key: "k");

        using var onFirst = _nodes[0].Client.Subscribe(topic, group);
        var firstsShare = await onFirst.NextAsync(8);
        using var onSecond = _nodes[1].Client.Subscribe(topic, group);
        var secondsShare = await onSecond.NextAsync(4);
        var owner = secondsShare.Concat(firstsShare).First(a => a.Partition == partition);

        // Receive on the third node, for a session subscribed elsewhere; ack on yet another node.
        using var receive = _nodes[2].Client.Receive(owner);
        var records = await receive.ReadAsync(2);
        await _nodes[0].Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = records[1].Record.Offset });
        var offsets = await _nodes[1].Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });

        Assert.Equal(["v0", "v1"], records.Select(r => r.Record.Value.ToStringUtf8()));
        Assert.Equal(records[1].Record.Offset, offsets.Offsets[partition]);
    }

    [Fact]
    public async Task Revocation_reaches_a_receive_stream_running_on_another_node()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var first = _nodes[0].Client.Subscribe(topic, group);
        var all = await first.NextAsync(8);
        var streams = all.ToDictionary(a => a.Partition, a => _nodes[2].Client.Receive(a));

        using var second = _nodes[1].Client.Subscribe(topic, group);
        var moved = await second.NextAsync(4);

        foreach (var assignment in moved)
        {
            Assert.Empty(await streams[assignment.Partition].ReadToEndAsync());
            Assert.Equal(StatusCode.OK, streams[assignment.Partition].GetStatus().StatusCode);
        }

        foreach (var stream in streams.Values)
        {
            stream.Dispose();
        }
    }

    [Fact]
    public async Task Graceful_leave_ends_its_subscriptions_and_hands_their_partitions_to_the_other_nodes()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var staying = _nodes[0].Client.Subscribe(topic, group);
        var stayingSession = (await staying.NextAsync(8))[0].SessionId;
        using var leaving = _nodes[2].Client.Subscribe(topic, group);
        var moved = await leaving.NextAsync(4);

        var clock = Stopwatch.StartNew();
        await _nodes[2].StopAsync();
        await leaving.Completion.WaitAsync(LiiklusClientExtensions.Deadline);
        await OwnsEveryPartition(_nodes[0], topic, group, stayingSession);
        output.WriteLine($"partitions reassigned {clock.ElapsedMilliseconds} ms after a graceful leave began");

        await ReceivesOn(_nodes[0], staying, topic, moved[0].Partition);
    }

    [Fact]
    public async Task Crashed_node_is_downed_and_its_partitions_go_to_live_subscribers()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var survivor = _nodes[0].Client.Subscribe(topic, group);
        var survivorSession = (await survivor.NextAsync(8))[0].SessionId;
        var doomed = _nodes[1].Client.Subscribe(topic, group);
        var moved = await doomed.NextAsync(4);

        var clock = Stopwatch.StartNew();
        output.WriteLine($"crash at {DateTime.UtcNow:HH:mm:ss.fff}");
        await _nodes[1].VanishFromAsync([_nodes[0], _nodes[2]]);
        await OwnsEveryPartition(_nodes[0], topic, group, survivorSession, TimeSpan.FromSeconds(45));
        output.WriteLine($"partitions reassigned {clock.ElapsedMilliseconds} ms after a crash");

        await ReceivesOn(_nodes[0], survivor, topic, moved[0].Partition);
        doomed.Dispose();
    }

    /// <summary>Asks the group's coordinator, wherever it lives, until one session holds every partition.</summary>
    private static async Task OwnsEveryPartition(TestGateway node, string topic, string group, string sessionId, TimeSpan? deadline = null)
    {
        var groups = node.Services.GetRequiredService<IRequiredActor<GroupCoordinatorRegion>>().ActorRef;
        await Eventually.Until(
            async () =>
            {
                try
                {
                    var state = await groups.Ask<GroupState>(new GetGroupState(topic, group), TimeSpan.FromSeconds(2));
                    return string.Join(",", state.AssignmentsBySession.Select(s => $"{s.Key[^6..]}:{s.Value.Count}"));
                }
                catch (AskTimeoutException)
                {
                    return "no answer";
                }
            },
            state => state == $"{sessionId[^6..]}:8",
            $"session {sessionId} owning all 8 partitions",
            deadline);
    }

    [Fact]
    public async Task Describe_group_on_any_node_names_the_session_and_the_node_that_hold_each_partition()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        await _nodes[0].Client.PublishAsync(topic, "v0");
        using var onSecond = _nodes[1].Client.Subscribe(topic, group);
        var sessionId = (await onSecond.NextAsync(8))[0].SessionId;

        foreach (var node in new[] { _nodes[0], _nodes[2] })
        {
            var described = await node.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group });

            Assert.Equal(1u, described.LiveMembers);
            Assert.Equal(8, described.Partitions.Count);
            Assert.All(described.Partitions, p => Assert.Equal((sessionId, _nodes[1].ClusterAddress), (p.OwnerSessionId, p.OwnerNode)));
            Assert.All(described.Partitions, p => Assert.Matches(@"^ipv4:127\.0\.0\.1:\d+$", p.OwnerClientAddress));
        }
    }

    /// <summary>The subscription is told of the partition and can read it on its node.</summary>
    private static async Task ReceivesOn(TestGateway node, Subscription subscription, string topic, uint partition)
    {
        var assignment = await AssignmentFor(subscription, partition);
        var published = await node.Client.PublishAsync(topic, "after-reassignment", key: Keys.ForPartition((int)partition, 8));
        using var receive = node.Client.Receive(assignment);

        Assert.Equal(partition, published.Partition);
        Assert.Equal("after-reassignment", (await receive.ReadAsync(1))[0].Record.Value.ToStringUtf8());
    }

    private SharedStorageNodes Nodes => new(_records, _positions, TestGateway.CrashableNodeHocon);
}
