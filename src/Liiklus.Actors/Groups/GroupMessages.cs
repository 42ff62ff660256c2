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

public sealed record PartitionsAssigned(string SessionId, IReadOnlyList<int> Partitions) : IGroupMessage;

public sealed record PartitionsRevoked(string SessionId, IReadOnlyList<int> Partitions) : IGroupMessage;

public sealed record PartitionClaimed(string SessionId, int Partition) : IGroupMessage;

public sealed record PartitionNotOwned(string SessionId, int Partition) : IGroupMessage;

public sealed record SessionUnknown(string SessionId) : IGroupMessage;

public sealed record ClaimRevoked(string SessionId, int Partition) : IGroupMessage;

/// <summary>The group could not learn its topic's partitions (storage down): the subscription fails.</summary>
public sealed record GroupUnavailable(string Reason) : IGroupMessage;

/// <summary>What the coordinator owns right now, for the admin API, diagnostics and tests.</summary>
public sealed record GetGroupState(string Topic, string GroupName) : IGroupCommand;

/// <param name="NodeBySession">
/// the cluster address of the node whose Subscribe call each session is; a session may be missing when the answer
/// comes from a node that predates it
/// </param>
/// <param name="ClientBySession">the client address each session joined with, for the sessions that gave one</param>
public sealed record GroupState(
    int PartitionCount,
    IReadOnlyDictionary<string, IReadOnlyList<int>> AssignmentsBySession,
    IReadOnlyDictionary<string, string> NodeBySession,
    IReadOnlyDictionary<string, string> ClientBySession) : IGroupMessage;
