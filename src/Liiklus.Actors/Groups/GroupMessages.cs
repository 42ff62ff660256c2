using Akka.Actor;

namespace Liiklus.Actors.Groups;

/// <summary>
/// A message of the group protocol, which may cross nodes: bound to <c>GroupMessageSerializer</c>'s explicit wire format.
/// </summary>
public interface IGroupMessage;

/// <summary>A message for the coordinator of one (topic, group name); routed by the shard region.</summary>
public interface IGroupCommand : IGroupMessage
{
    string Topic { get; }
    string GroupName { get; }
}

/// <summary>Adds a subscription to the group; its partitions arrive as <see cref="PartitionsAssigned"/>.</summary>
/// <param name="ClientAddress">the Subscribe call's peer as the serving node saw it (for the admin API); null when unknown</param>
public sealed record JoinGroup(string Topic, string GroupName, string SessionId, IActorRef Subscriber, string? ClientAddress = null) : IGroupCommand;

public sealed record LeaveGroup(string Topic, string GroupName, string SessionId) : IGroupCommand;

/// <summary>
/// A Receive stream asks to read a partition of its session; answered by <see cref="PartitionClaimed"/>,
/// <see cref="PartitionNotOwned"/> or <see cref="SessionUnknown"/>. A claimed stream is told
/// <see cref="ClaimRevoked"/> when the partition leaves its session.
/// </summary>
public sealed record ClaimPartition(string Topic, string GroupName, string SessionId, int Partition, IActorRef Stream) : IGroupCommand;

/// <param name="Epochs">
/// the reset epoch of each partition, in the order of <paramref name="Partitions"/> (absent or 0: none): the partition's
/// session id is the subscription's own id with that epoch (<see cref="Sessions.SessionToken.Epoch"/>)
/// </param>
public sealed record PartitionsAssigned(string SessionId, IReadOnlyList<int> Partitions, IReadOnlyList<long>? Epochs = null) : IGroupMessage
{
    public long EpochOf(int index) => Epochs is { } epochs && index < epochs.Count ? epochs[index] : 0;
}

public sealed record PartitionsRevoked(string SessionId, IReadOnlyList<int> Partitions) : IGroupMessage;

public sealed record PartitionClaimed(string SessionId, int Partition) : IGroupMessage;

public sealed record PartitionNotOwned(string SessionId, int Partition) : IGroupMessage;

public sealed record SessionUnknown(string SessionId) : IGroupMessage;

public sealed record ClaimRevoked(string SessionId, int Partition) : IGroupMessage;

/// <summary>The group could not learn its topic's partitions (storage down): the subscription fails.</summary>
public sealed record GroupUnavailable(string Reason) : IGroupMessage;

/// <summary>What the coordinator owns right now, for the admin API, diagnostics and tests.</summary>
public sealed record GetGroupState(string Topic, string GroupName) : IGroupCommand;

/// <param name="LastAcks">when the coordinator last stored an ack of each (version, partition), as far as it knows</param>
/// <param name="NodeBySession">
/// the cluster address of the node whose Subscribe call each session is; a session may be missing when the answer
/// comes from a node that predates it
/// </param>
/// <param name="ClientBySession">the client address each session joined with, for the sessions that gave one</param>
public sealed record GroupState(
    int PartitionCount,
    IReadOnlyDictionary<string, IReadOnlyList<int>> AssignmentsBySession,
    IReadOnlyDictionary<string, string> NodeBySession,
    IReadOnlyDictionary<string, string> ClientBySession,
    IReadOnlyList<LastAck>? LastAcks = null) : IGroupMessage;

/// <summary>When an ack of a group version on a partition was last stored (part of <see cref="GroupState"/>).</summary>
public sealed record LastAck(uint GroupVersion, int Partition, DateTimeOffset At);

/// <summary>
/// Stores an ack through the group's coordinator, which refuses what a reset fenced off (<see cref="AckRefused"/>) and
/// otherwise writes it and answers <see cref="AckStored"/>.
/// </summary>
/// <param name="SessionId">the session a legacy ack names (its epoch is checked); null for a stateless ack</param>
public sealed record AckPosition(string Topic, string GroupName, uint GroupVersion, int Partition, long Offset, string? SessionId) : IGroupCommand;

public sealed record AckStored(int Partition) : IGroupMessage;

/// <param name="Field">with <see cref="AckRefusal.OutOfRange"/>, the request field at fault</param>
public sealed record AckRefused(int Partition, AckRefusal Reason, string Detail, string? Field = null) : IGroupMessage;

/// <summary>
/// Moves one group version's positions (the admin API's executed reset): the coordinator revokes the partitions from
/// the version's sessions, waits for the acks it is writing, writes the new positions, and assigns the partitions again
/// under a new epoch. Answered by <see cref="GroupPositionsReset"/> or <see cref="GroupResetFailed"/>.
/// </summary>
/// <param name="Requester">who asked, for the log</param>
public sealed record ResetGroupPositions(string Topic, string GroupName, uint GroupVersion, IReadOnlyList<PartitionTarget> Targets, string Requester)
    : IGroupCommand;

public sealed record GroupPositionsReset(IReadOnlyList<PartitionMove> Moves) : IGroupMessage;

public sealed record GroupResetFailed(string Reason) : IGroupMessage;

/// <summary>
/// Deletes a group's stored positions, of one version or (<paramref name="GroupVersion"/> null) every version of the
/// name, unless a version to delete has live members. Answered by <see cref="GroupPositionsDeleted"/> or
/// <see cref="GroupDeletionRefused"/>.
/// </summary>
public sealed record DeleteGroupPositions(string Topic, string GroupName, uint? GroupVersion) : IGroupCommand;

public sealed record GroupPositionsDeleted(IReadOnlyList<uint> Versions) : IGroupMessage;

public sealed record GroupDeletionRefused(GroupDeletionRefusal Reason, string Detail) : IGroupMessage;

/// <summary>The coordinator asks a claimed Receive stream how far it has delivered; answered by <see cref="DeliveredUpTo"/>.</summary>
public sealed record ReportDelivered(string SessionId, int Partition) : IGroupMessage;

/// <summary>
/// The highest offset a Receive stream has written to its client (-1: none), in answer to <see cref="ReportDelivered"/>
/// or when a stream under a reset epoch ends.
/// </summary>
public sealed record DeliveredUpTo(string Topic, string GroupName, string SessionId, int Partition, long HighestOffset) : IGroupCommand;
