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
            new Dictionary<string, string> { ["session-2"] = "ipv6:[::1]:50000" });
    }

    [Fact]
    public void Every_message_of_the_group_protocol_is_bound_to_the_explicit_wire_format()
    {
        var protocol = typeof(IGroupMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGroupMessage).IsAssignableFrom(t))
            .ToHashSet();

        Assert.Equal(protocol.OrderBy(t => t.Name), Samples().Select(s => s.GetType()).OrderBy(t => t.Name));
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
        PartitionsAssigned m => $"assigned {m.SessionId} [{string.Join(",", m.Partitions)}]",
        PartitionsRevoked m => $"revoked {m.SessionId} [{string.Join(",", m.Partitions)}]",
        GroupState m => $"state {m.PartitionCount} {string.Join(";", m.AssignmentsBySession.OrderBy(a => a.Key).Select(a => $"{a.Key}=[{string.Join(",", a.Value)}]@{m.NodeBySession.GetValueOrDefault(a.Key)}/{m.ClientBySession.GetValueOrDefault(a.Key)}"))}",
        _ => message.ToString()!,
    };
}
