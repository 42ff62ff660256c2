namespace Liiklus.Client;

/// <summary>One partition of a <see cref="PositionsReset"/>; positions are "the next record delivered".</summary>
/// <param name="Partition">the partition</param>
/// <param name="PreviousPosition">the offset the group received next before; null when it had no position</param>
/// <param name="NewPosition">the offset the group receives next after the reset</param>
/// <param name="Clamped">whether the target lay outside what the partition holds and the nearest bound was taken</param>
public sealed record PartitionReset(int Partition, ulong? PreviousPosition, ulong NewPosition, bool Clamped);
