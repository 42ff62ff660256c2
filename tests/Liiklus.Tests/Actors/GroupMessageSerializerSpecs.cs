using Akka.Actor;
using Akka.TestKit.Xunit2;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Serialization;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Actors;

public sealed class GroupMessageSerializerSpecs() : TestKit(WireCheckedConfig.Config)
{
    private IEnumerable<object> Samples()
    {
        yield return new JoinGroup("orders", "billing", "session-1", TestActor, "ipv4:10.1.2.3:51234");
        yield return new LeaveGroup("orders", "billing", "session-1");
        yield return new ClaimPartition("orders", "billing", "session-1", 7, TestActor);
        yield return new GetGroupState("orders", "billing");
        yield return new PartitionsAssigned("session-1", [0, 3, 5]);
        yield return new PartitionsAssigned("session-1", [0, 3], [0, 638_000_000_000_000_000]);
        yield return new PartitionsRevoked("session-1", [3]);
        yield return new PartitionClaimed("session-1", 7);
        yield return new PartitionNotOwned("session-1", 2);
        yield return new SessionUnknown("session-9");
        yield return new ClaimRevoked("session-1", 7);
        yield return new GroupUnavailable("topic 'orders' does not exist");
        yield return new GroupState(
            8,
            new Dictionary<string, IReadOnlyList<int>> { ["session-1"] = [0, 1], ["session-2"] = [2] },
            new Dictionary<string, string> { ["session-1"] = "akka.tcp://liiklus@10.0.0.1:4053", ["session-2"] = "akka.tcp://liiklus@10.0.0.2:4053" },
            new Dictionary<string, string> { ["session-2"] = "ipv6:[::1]:50000" },
            [new LastAck(2, 1, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123))]);
        yield return new AckPosition("orders", "billing", 2, 3, 41, null);
        yield return new AckPosition("orders", "billing", 0, 3, 41, "session-1");
        yield return new AckStored(3);
        yield return new AckRefused(3, AckRefusal.NotDeliveredSinceReset, "offset 41 was not delivered since the reset");
        yield return new AckRefused(3, AckRefusal.OutOfRange, "partition: no such partition", "partition");
        yield return new ResetGroupPositions(
            "orders",
            "billing",
            2,
            [new PartitionTarget(0, 5, 0, 0, 10), new PartitionTarget(1, null, -3, 2, 8)],
            "alice");
        yield return new GroupPositionsReset([new PartitionMove(0, null, 5, false), new PartitionMove(1, 7, 4, true)]);
        yield return new GroupResetFailed("positions storage unavailable");
        yield return new DeleteGroupPositions("orders", "billing", 2);
        yield return new DeleteGroupPositions("orders", "billing", null);
        yield return new GroupPositionsDeleted([0, 2]);
        yield return new GroupDeletionRefused(GroupDeletionRefusal.LiveMembers, "group 'billing' has 1 live member");
        yield return new ReportDelivered("session-1", 4);
        yield return new DeliveredUpTo("orders", "billing", "session-1", 4, 99);
    }

    [Fact]
    public void Every_message_of_the_group_protocol_is_bound_to_the_explicit_wire_format()
    {
        var protocol = typeof(IGroupMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGroupMessage).IsAssignableFrom(t))
            .ToHashSet();

        Assert.Equal(protocol.OrderBy(t => t.Name), Samples().Select(s => s.GetType()).Distinct().OrderBy(t => t.Name));
        Assert.All(protocol, type => Assert.IsType<GroupMessageSerializer>(Sys.Serialization.FindSerializerForType(type)));
    }

    [Fact]
    public void Every_message_round_trips_with_its_actor_references()
    {
        foreach (var sample in Samples())
        {
            var serializer = (GroupMessageSerializer)Sys.Serialization.FindSerializerFor(sample);

            var back = serializer.FromBinary(serializer.ToBinary(sample), serializer.Manifest(sample));

            Assert.Equal(Describe(sample), Describe(back));
        }
    }

    [Fact]
    public void An_unknown_manifest_from_a_newer_node_is_refused_clearly()
    {
        var serializer = (GroupMessageSerializer)Sys.Serialization.FindSerializerForType(typeof(JoinGroup));

        var refused = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "NEW"));

        Assert.Contains("NEW", refused.Message);
    }

    // Records compare lists by reference: compare what they hold instead.
    private static string Describe(object message) => message switch
    {
        PartitionsAssigned m => $"assigned {m.SessionId} [{string.Join(",", m.Partitions)}] epochs [{string.Join(",", m.Epochs ?? [])}]",
        ResetGroupPositions m => $"reset {m.Topic} {m.GroupName} {m.GroupVersion} {m.Requester} [{string.Join(",", m.Targets)}]",
        GroupPositionsReset m => $"moves [{string.Join(",", m.Moves)}]",
        GroupPositionsDeleted m => $"deleted [{string.Join(",", m.Versions)}]",
        PartitionsRevoked m => $"revoked {m.SessionId} [{string.Join(",", m.Partitions)}]",
        GroupState m => $"state {m.PartitionCount} {string.Join(";", m.AssignmentsBySession.OrderBy(a => a.Key).Select(a => $"{a.Key}=[{string.Join(",", a.Value)}]@{m.NodeBySession.GetValueOrDefault(a.Key)}/{m.ClientBySession.GetValueOrDefault(a.Key)}"))} acks [{string.Join(",", m.LastAcks ?? [])}]",
        _ => message.ToString()!,
    };
}
