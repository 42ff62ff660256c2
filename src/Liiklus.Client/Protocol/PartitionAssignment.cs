namespace Liiklus.Client;

/// <summary>A partition a subscription now owns; open a Receive for it on the same client.</summary>
/// <param name="Group">the group the subscription is in</param>
/// <param name="SessionId">the subscription's session, as the gateway named it</param>
/// <param name="Partition">the partition owned</param>
public sealed record PartitionAssignment(ConsumerGroup Group, string SessionId, int Partition);
