namespace Liiklus.Client;

/// <summary>One consumer group version's positions and owners, as DescribeGroup (and each WatchGroup snapshot) answers them.</summary>
/// <param name="Group">the group version described</param>
/// <param name="Partitions">ordered by partition: every partition of the topic, and any other the version has a position on</param>
/// <param name="LiveMembers">subscriptions of this version now; null when the gateway could not tell in time</param>
public sealed record GroupDescription(ConsumerGroup Group, IReadOnlyList<GroupPartitionState> Partitions, int? LiveMembers);
