namespace Liiklus.Client;

/// <summary>
/// Where a consumer group version is on one partition. Offsets are "the next record delivered", as in Kafka's
/// tools: the stored last acknowledged offset + 1.
/// </summary>
/// <param name="Partition">the partition</param>
/// <param name="Position">the offset the group receives next; null when it acknowledged nothing on the partition</param>
/// <param name="EndOffset">the offset the next record published to the partition gets</param>
/// <param name="Lag">records still to receive, never negative</param>
/// <param name="OwnerSessionId">the subscription holding the partition now, as Subscribe named it to its client; null when none does</param>
/// <param name="OwnerNode">the gateway node serving that subscription (its cluster address); null with <paramref name="OwnerSessionId"/></param>
/// <param name="OwnerClientAddress">that subscription's peer as the node saw it (<c>ipv4:10.1.2.3:51234</c>); null with <paramref name="OwnerSessionId"/></param>
/// <param name="LastAckTime">when the gateway last stored an acknowledgement of this version on the partition; null when no node did since it started</param>
public sealed record GroupPartitionState(
    int Partition,
    ulong? Position,
    ulong EndOffset,
    ulong Lag,
    string? OwnerSessionId,
    string? OwnerNode,
    string? OwnerClientAddress,
    DateTimeOffset? LastAckTime);
