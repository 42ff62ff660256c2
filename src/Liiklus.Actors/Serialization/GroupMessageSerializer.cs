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
    private const string AckPositionManifest = "AP";
    private const string AckStoredManifest = "AS";
    private const string AckRefusedManifest = "AR";
    private const string ResetGroupPositionsManifest = "RGP";
    private const string GroupPositionsResetManifest = "GPR";
    private const string GroupResetFailedManifest = "GRF";
    private const string DeleteGroupPositionsManifest = "DGP";
    private const string GroupPositionsDeletedManifest = "GPD";
    private const string GroupDeletionRefusedManifest = "GDR";
    private const string ReportDeliveredManifest = "RD";
    private const string DeliveredUpToManifest = "DUT";

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
        AckPosition => AckPositionManifest,
        AckStored => AckStoredManifest,
        AckRefused => AckRefusedManifest,
        ResetGroupPositions => ResetGroupPositionsManifest,
        GroupPositionsReset => GroupPositionsResetManifest,
        GroupResetFailed => GroupResetFailedManifest,
        DeleteGroupPositions => DeleteGroupPositionsManifest,
        GroupPositionsDeleted => GroupPositionsDeletedManifest,
        GroupDeletionRefused => GroupDeletionRefusedManifest,
        ReportDelivered => ReportDeliveredManifest,
        DeliveredUpTo => DeliveredUpToManifest,
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
        PartitionsAssigned m => Partitions(m.SessionId, m.Partitions, m.Epochs),
        PartitionsRevoked m => Partitions(m.SessionId, m.Partitions),
        PartitionClaimed m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        PartitionNotOwned m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        SessionUnknown m => new Wire.SessionUnknown { SessionId = m.SessionId },
        ClaimRevoked m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        GroupUnavailable m => new Wire.GroupUnavailable { Reason = m.Reason },
        GroupState m => State(m),
        AckPosition m => new Wire.AckPosition
        {
            Topic = m.Topic, GroupName = m.GroupName, GroupVersion = m.GroupVersion, Partition = m.Partition, Offset = m.Offset, SessionId = m.SessionId ?? "",
        },
        AckStored m => new Wire.AckStored { Partition = m.Partition },
        AckRefused m => new Wire.AckRefused { Partition = m.Partition, Reason = (int)m.Reason, Detail = m.Detail, Field = m.Field ?? "" },
        ResetGroupPositions m => Reset(m),
        GroupPositionsReset m => Moves(m),
        GroupResetFailed m => new Wire.GroupResetFailed { Reason = m.Reason },
        DeleteGroupPositions m => Delete(m),
        GroupPositionsDeleted m => new Wire.GroupPositionsDeleted { Versions = { m.Versions } },
        GroupDeletionRefused m => new Wire.GroupDeletionRefused { Reason = (int)m.Reason, Detail = m.Detail },
        ReportDelivered m => new Wire.SessionPartition { SessionId = m.SessionId, Partition = m.Partition },
        DeliveredUpTo m => new Wire.DeliveredUpTo
        {
            Topic = m.Topic, GroupName = m.GroupName, SessionId = m.SessionId, Partition = m.Partition, HighestOffset = m.HighestOffset,
        },
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
                return new PartitionsAssigned(assigned.SessionId, [.. assigned.Partitions_], assigned.Epochs.Count > 0 ? [.. assigned.Epochs] : null);
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
                    new Dictionary<string, string>(state.Clients),
                    [.. state.LastAcks.Select(a => new LastAck(a.GroupVersion, a.Partition, DateTimeOffset.FromUnixTimeMilliseconds(a.AtMs)))]);
            case AckPositionManifest:
                var ack = Wire.AckPosition.Parser.ParseFrom(bytes);
                return new AckPosition(ack.Topic, ack.GroupName, ack.GroupVersion, ack.Partition, ack.Offset, ack.SessionId.Length > 0 ? ack.SessionId : null);
            case AckStoredManifest:
                return new AckStored(Wire.AckStored.Parser.ParseFrom(bytes).Partition);
            case AckRefusedManifest:
                var refused = Wire.AckRefused.Parser.ParseFrom(bytes);
                return new AckRefused(refused.Partition, (AckRefusal)refused.Reason, refused.Detail, refused.Field.Length > 0 ? refused.Field : null);
            case ResetGroupPositionsManifest:
                var reset = Wire.ResetGroupPositions.Parser.ParseFrom(bytes);
                return new ResetGroupPositions(
                    reset.Topic,
                    reset.GroupName,
                    reset.GroupVersion,
                    [.. reset.Targets.Select(t => new PartitionTarget(t.Partition, t.HasNextOffset ? t.NextOffset : null, t.ShiftBy, t.Earliest, t.End))],
                    reset.Requester);
            case GroupPositionsResetManifest:
                return new GroupPositionsReset(
                [
                    .. Wire.GroupPositionsReset.Parser.ParseFrom(bytes).Moves
                        .Select(m => new PartitionMove(m.Partition, m.HasPreviousNext ? m.PreviousNext : null, m.Next, m.Clamped)),
                ]);
            case GroupResetFailedManifest:
                return new GroupResetFailed(Wire.GroupResetFailed.Parser.ParseFrom(bytes).Reason);
            case DeleteGroupPositionsManifest:
                var delete = Wire.DeleteGroupPositions.Parser.ParseFrom(bytes);
                return new DeleteGroupPositions(delete.Topic, delete.GroupName, delete.HasGroupVersion ? delete.GroupVersion : null);
            case GroupPositionsDeletedManifest:
                return new GroupPositionsDeleted([.. Wire.GroupPositionsDeleted.Parser.ParseFrom(bytes).Versions]);
            case GroupDeletionRefusedManifest:
                var deletionRefused = Wire.GroupDeletionRefused.Parser.ParseFrom(bytes);
                return new GroupDeletionRefused((GroupDeletionRefusal)deletionRefused.Reason, deletionRefused.Detail);
            case ReportDeliveredManifest:
                var report = Wire.SessionPartition.Parser.ParseFrom(bytes);
                return new ReportDelivered(report.SessionId, report.Partition);
            case DeliveredUpToManifest:
                var delivered = Wire.DeliveredUpTo.Parser.ParseFrom(bytes);
                return new DeliveredUpTo(delivered.Topic, delivered.GroupName, delivered.SessionId, delivered.Partition, delivered.HighestOffset);
            default:
                throw new SerializationException($"{nameof(GroupMessageSerializer)} does not know the manifest '{manifest}'");
        }
    }

    private static Wire.Partitions Partitions(string sessionId, IEnumerable<int> partitions, IReadOnlyList<long>? epochs = null)
    {
        var wire = new Wire.Partitions { SessionId = sessionId };
        wire.Partitions_.AddRange(partitions);
        if (epochs is not null)
        {
            wire.Epochs.AddRange(epochs);
        }

        return wire;
    }

    private static Wire.ResetGroupPositions Reset(ResetGroupPositions reset)
    {
        var wire = new Wire.ResetGroupPositions
        {
            Topic = reset.Topic, GroupName = reset.GroupName, GroupVersion = reset.GroupVersion, Requester = reset.Requester,
        };
        foreach (var target in reset.Targets)
        {
            var partition = new Wire.PartitionTarget { Partition = target.Partition, ShiftBy = target.ShiftBy, Earliest = target.Earliest, End = target.End };
            if (target.NextOffset is { } next)
            {
                partition.NextOffset = next;
            }

            wire.Targets.Add(partition);
        }

        return wire;
    }

    private static Wire.GroupPositionsReset Moves(GroupPositionsReset reset)
    {
        var wire = new Wire.GroupPositionsReset();
        foreach (var move in reset.Moves)
        {
            var partition = new Wire.PartitionMove { Partition = move.Partition, Next = move.Next, Clamped = move.Clamped };
            if (move.PreviousNext is { } previous)
            {
                partition.PreviousNext = previous;
            }

            wire.Moves.Add(partition);
        }

        return wire;
    }

    private static Wire.DeleteGroupPositions Delete(DeleteGroupPositions delete)
    {
        var wire = new Wire.DeleteGroupPositions { Topic = delete.Topic, GroupName = delete.GroupName };
        if (delete.GroupVersion is { } version)
        {
            wire.GroupVersion = version;
        }

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

        wire.LastAcks.AddRange((state.LastAcks ?? []).Select(a => new Wire.LastAck
        {
            GroupVersion = a.GroupVersion, Partition = a.Partition, AtMs = a.At.ToUnixTimeMilliseconds(),
        }));

        return wire;
    }

    private static string PathOf(IActorRef actor) => Akka.Serialization.Serialization.SerializedActorPath(actor);

    private IActorRef Resolve(string path) => system.Provider.ResolveActorRef(path);

    private static ArgumentException Unknown(object o) =>
        new($"{nameof(GroupMessageSerializer)} cannot serialize {o.GetType()}", nameof(o));
}
