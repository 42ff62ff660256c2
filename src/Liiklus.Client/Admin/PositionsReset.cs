namespace Liiklus.Client;

/// <summary>What a position reset changed, or would change when it was a dry run.</summary>
/// <param name="Group">the group version reset</param>
/// <param name="Executed">whether the positions were changed; false for a dry run</param>
/// <param name="Partitions">ordered by partition</param>
public sealed record PositionsReset(ConsumerGroup Group, bool Executed, IReadOnlyList<PartitionReset> Partitions);
