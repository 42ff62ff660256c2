using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using Liiklus.Actors.Groups;
using Wire = Liiklus.Actors.Serialization.Wire;

namespace Liiklus.Actors.Serialization;

/// <summary>
/// The group protocol's wire format between nodes: Protocol Buffers messages (protos/cluster.proto) under short, stable
/// manifests, bound to <see cref="IGroupMessage"/> in hocon/akka.conf. Nodes of two versions understand each other as
/// long as field numbers and manifests are kept, so a cluster can be upgraded one node at a time.
/// </summary>
public sealed class GroupMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka keeps identifiers below 100 for itself; this one is the gateway's, fixed for good.</summary>
    public const int Id = 8_701;

    private const string JoinGroupManifest = "JG";
    private const string LeaveGroupManifest = "LG";
    private const string ClaimPartitionManifest = "CP";
    private const string GetGroupStateManifest = "GGS";
    private const string PartitionsAssignedManifest = "PA";
    private const string PartitionsRevokedManifest = "PR";
    private const string PartitionClaimedManifest = "PC";
    private const string PartitionNotOwnedManifest = "PNO";
    private const string SessionUnknownManifest = "SU";
    private const string ClaimRevokedManifest = "CR";
    private const string GroupUnavailableManifest = "GU";
    private const string GroupStateManifest = "GS";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        JoinGroup => JoinGroupManifest,
        LeaveGroup => LeaveGroupManifest,
        ClaimPartition => ClaimPartitionManifest,
        GetGroupState => GetGroupStateManifest,
        PartitionsAssigned => PartitionsAssignedManifest,
        PartitionsRevoked => PartitionsRevokedManifest,
        PartitionClaimed => PartitionClaimedManifest,
        PartitionNotOwned => PartitionNotOwnedManifest,
        SessionUnknown => SessionUnknownManifest,
        ClaimRevoked => ClaimRevokedManifest,
        GroupUnavailable => GroupUnavailableManifest,
        GroupState => GroupStateManifest,
        _ => throw Unknown(o),
    };

    public override byte[] ToBinary(object obj) => ((IMessage)(obj switch
    {
        JoinGroup m => new Wire.JoinGroup
        {
            Topic = m.Topic, GroupName = m.GroupName, SessionId = m.SessionId, Subscriber = PathOf(m.Subscriber), ClientAddress = m.ClientAddress ?? "",
        },
        LeaveGroup m => new Wire.LeaveGroup { Topic = m.Topic, GroupName = m.GroupName, SessionId = m.SessionId },
        ClaimPartition m => new Wire.ClaimPartition
        {
            Topic = m.Topic, GroupName = m.GroupName, SessionId = m.SessionId, Partition = m.Partition, Stream = PathOf(m.Stream),
        },
        GetGroupState m => new Wire.GetGroupState { Topic = m.Topic, GroupName = m.GroupName },
        PartitionsAssigned m => Partitions(m.SessionId, m.Partitions),
        PartitionsRevoked m => Partitions(m.SessionId, m.Partitions),
        PartitionClaimed m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        PartitionNotOwned m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        SessionUnknown m => new Wire.SessionUnknown { SessionId = m.SessionId },
        ClaimRevoked m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        GroupUnavailable m => new Wire.GroupUnavailable { Reason = m.Reason },
        GroupState m => State(m),
        _ => throw Unknown(obj),
    })).ToByteArray();

    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case JoinGroupManifest:
                var join = Wire.JoinGroup.Parser.ParseFrom(bytes);
                return new JoinGroup(
                    join.Topic,
                    join.GroupName,
                    join.SessionId,
                    Resolve(join.Subscriber),
                    join.ClientAddress.Length > 0 ? join.ClientAddress : null);
            case LeaveGroupManifest:
                var leave = Wire.LeaveGroup.Parser.ParseFrom(bytes);
                return new LeaveGroup(leave.Topic, leave.GroupName, leave.SessionId);
            case ClaimPartitionManifest:
                var claim = Wire.ClaimPartition.Parser.ParseFrom(bytes);
                return new ClaimPartition(claim.Topic, claim.GroupName, claim.SessionId, claim.Partition, Resolve(claim.Stream));
            case GetGroupStateManifest:
                var get = Wire.GetGroupState.Parser.ParseFrom(bytes);
                return new GetGroupState(get.Topic, get.GroupName);
            case PartitionsAssignedManifest:
                var assigned = Wire.Partitions.Parser.ParseFrom(bytes);
                return new PartitionsAssigned(assigned.SessionId, [.. assigned.Partitions_]);
            case PartitionsRevokedManifest:
                var revoked = Wire.Partitions.Parser.ParseFrom(bytes);
                return new PartitionsRevoked(revoked.SessionId, [.. revoked.Partitions_]);
            case PartitionClaimedManifest:
                var claimed = Wire.SessionPartition.Parser.ParseFrom(bytes);
                return new PartitionClaimed(claimed.SessionId, claimed.Partition);
            case PartitionNotOwnedManifest:
                var notOwned = Wire.SessionPartition.Parser.ParseFrom(bytes);
                return new PartitionNotOwned(notOwned.SessionId, notOwned.Partition);
            case SessionUnknownManifest:
                return new SessionUnknown(Wire.SessionUnknown.Parser.ParseFrom(bytes).SessionId);
            case ClaimRevokedManifest:
                var claimRevoked = Wire.SessionPartition.Parser.ParseFrom(bytes);
                return new ClaimRevoked(claimRevoked.SessionId, claimRevoked.Partition);
            case GroupUnavailableManifest:
                return new GroupUnavailable(Wire.GroupUnavailable.Parser.ParseFrom(bytes).Reason);
            case GroupStateManifest:
                var state = Wire.GroupState.Parser.ParseFrom(bytes);
                return new GroupState(
                    state.PartitionCount,
                    state.Assignments.ToDictionary(a => a.SessionId, IReadOnlyList<int> (a) => [.. a.Partitions_]),
                    new Dictionary<string, string>(state.Nodes),
                    new Dictionary<string, string>(state.Clients));
            default:
                throw new SerializationException($"{nameof(GroupMessageSerializer)} does not know the manifest '{manifest}'");
        }
    }

    private static Wire.Partitions Partitions(string sessionId, IEnumerable<int> partitions)
    {
        var wire = new Wire.Partitions { SessionId = sessionId };
        wire.Partitions_.AddRange(partitions);
        return wire;
    }

    private static Wire.GroupState State(GroupState state)
    {
        var wire = new Wire.GroupState { PartitionCount = state.PartitionCount };
        wire.Assignments.AddRange(state.AssignmentsBySession.Select(a => Partitions(a.Key, a.Value)));
        foreach (var (sessionId, node) in state.NodeBySession)
        {
            wire.Nodes[sessionId] = node;
        }

        foreach (var (sessionId, client) in state.ClientBySession)
        {
            wire.Clients[sessionId] = client;
        }

        return wire;
    }

    private static string PathOf(IActorRef actor) => Akka.Serialization.Serialization.SerializedActorPath(actor);

    private IActorRef Resolve(string path) => system.Provider.ResolveActorRef(path);

    private static ArgumentException Unknown(object o) =>
        new($"{nameof(GroupMessageSerializer)} cannot serialize {o.GetType()}", nameof(o));
}
