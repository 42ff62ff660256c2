namespace Liiklus.Actors.Groups;

/// <summary>
/// Where a reset moves one partition, in "the next record delivered" offsets: to <paramref name="NextOffset"/>, or
/// when it is null by <paramref name="ShiftBy"/> from the current position (from <paramref name="Earliest"/> without one);
/// clamped to [<paramref name="Earliest"/>, <paramref name="End"/>].
/// </summary>
public sealed record PartitionTarget(int Partition, long? NextOffset, long ShiftBy, long Earliest, long End);
